"""Command line: thin commands that parse options, call the library and print.

Exit codes (README, "Exit codes"): 0 ok; 2 usage error (bad option, bad config); 3 some inputs could not
be read (everything readable was still processed and printed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .config import Config, ConfigError, find_config, load_config

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 2, 3


def _config(path: Path | None) -> Config:
    try:
        cfg = load_config(path if path is not None else find_config())
    except ConfigError as e:
        raise click.UsageError(str(e)) from e
    if cfg.unknown:
        click.echo(f"linkguard: warning: {cfg.source}: unknown keys ignored: {', '.join(cfg.unknown)}", err=True)
    return cfg


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="linkguard")
def main() -> None:
    """Keep the sources behind footnotes alive: find cited URLs, clean them, check and archive them."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Readable table grouped by URL, or JSON {links, invalid, errors, skipped, summary}.")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files matching this gitignore-style glob when walking directories (repeatable).")
@click.option("--base-url", metavar="URL", help="Resolve relative links in HTML against this URL.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: linkguard.toml or pyproject.toml [tool.linkguard]).")
def extract(paths: tuple[Path, ...], fmt: str, exclude: tuple[str, ...], base_url: str | None,
            config_path: Path | None) -> None:
    """Find every cited URL in PATHS (files or directories) and say where it is cited."""
    from .canonical import load_rules, validate
    from .extract import Options, extract_paths
    from .output import Collected, safe, to_json, to_text

    cfg = _config(config_path)
    base = base_url or cfg.base_url
    if base and validate(base):
        raise click.BadParameter(f"{base!r}: {validate(base)}", param_hint="--base-url")
    rules = load_rules(cfg.strip_params, cfg.keep_params)
    options = Options(base_url=base, rules=rules, exclude=(*cfg.exclude, *exclude))
    collected = Collected.of(extract_paths(paths, options))
    for err in collected.errors:
        click.echo(f"linkguard: error: {safe(err.source)}: {safe(err.error)}", err=True)
    click.echo(to_json(collected) if fmt == "json" else to_text(collected))
    sys.exit(EXIT_INPUT if collected.errors else EXIT_OK)


@main.command("clean-url")
@click.argument("urls", nargs=-1)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file with extra strip_params / keep_params.")
def clean_url(urls: tuple[str, ...], config_path: Path | None) -> None:
    """Print the canonical form of each URL (arguments, or one per line on stdin), one per line.

    A URL that is not valid prints an empty line (so output lines match input lines), the reason goes to
    stderr, and the exit code is 3.
    """
    from .canonical import InvalidURL, canonicalize, load_rules
    from .output import safe

    cfg = _config(config_path)
    rules = load_rules(cfg.strip_params, cfg.keep_params)
    source = urls if urls and urls != ("-",) else (line.strip() for line in sys.stdin)
    failed = False
    for url in source:
        if not url:
            click.echo("")
            continue
        try:
            click.echo(canonicalize(url, rules))
        except InvalidURL as e:
            failed = True
            click.echo("")
            click.echo(f"linkguard: invalid URL {safe(url)!r}: {e}", err=True)
    sys.exit(EXIT_INPUT if failed else EXIT_OK)
