"""Command line: thin commands that parse options, call the library and print.

Exit codes (README, "Exit codes"): 0 ok; 1 failing links per --fail-on; 2 usage error (bad option, bad
config); 3 some inputs could not be read (everything readable was still processed and printed); 130
interrupted (what was learnt is saved).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .config import Config, ConfigError, find_config, load_config

EXIT_OK, EXIT_FAILING, EXIT_USAGE, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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


FAIL_ON = ("rotten", "dead", "suspect", "never")


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    from .config import parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from datetime import UTC, datetime

    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise click.BadParameter(f"not an ISO date/time: {value!r}") from e
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()


class _Progress:
    """A rich progress bar on a terminal; plain lines (every 10 % or 10 s) elsewhere, e.g. in CI."""

    def __init__(self) -> None:
        import os
        import time

        self.tty = sys.stderr.isatty() and not os.environ.get("CI")
        self.bar = None
        self.task = None
        self.last_line = 0.0
        self.last_pct = -1
        self.last_said = (-1, -1)
        self.time = time.monotonic

    def __call__(self, done: int, total: int, reading: bool = False) -> None:
        """`total` is the number of links due so far; while files are still `reading`, it grows."""
        if total == 0:
            return
        if self.tty:
            if self.bar is None:
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

                self.bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                    transient=True)
                self.bar.start()
                self.task = self.bar.add_task("checking", total=total)
            self.bar.update(self.task, completed=done, total=total,
                            description="reading files and checking" if reading else "checking")
            return
        if reading:  # the total is not known yet: a line every 10 s, no percentage
            if self.time() - self.last_line >= 10:
                click.echo(f"linkguard: checked {done} of {total} links found so far (still reading files)",
                           err=True)
                self.last_line = self.time()
            return
        pct = done * 100 // total if total else 100
        if (done, total) == self.last_said:
            return
        if done == total or pct >= self.last_pct + 10 or self.time() - self.last_line >= 10:
            click.echo(f"linkguard: checked {done}/{total} ({pct}%)", err=True)
            self.last_pct, self.last_line, self.last_said = pct, self.time(), (done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite database [linkguard.db].")
@click.option("--archive/--no-archive", default=False,
              help="After checking, look up Wayback snapshots and save the pages that need one.")
@click.option("--offline", is_flag=True, help="Extract and record citations; no network at all.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--concurrency", type=click.IntRange(1, 1024), help="Requests in flight in all [64].")
@click.option("--per-host", type=click.IntRange(1, 64), help="Requests in flight per host [4].")
@click.option("--per-host-rps", type=click.FloatRange(0.01), help="Requests per second per host [no limit].")
@click.option("--timeout", callback=_duration, metavar="DURATION", help="Per request [20s].")
@click.option("--max-age", callback=_duration, metavar="DURATION",
              help="Re-check a link that was fine only after this long; 0 checks everything [7d].")
@click.option("--recheck-after", callback=_duration, metavar="DURATION",
              help="Re-check a failing link after this long [12h].")
@click.option("--confirm-now", is_flag=True, help="Call a link rotten on one failing check (one-off use).")
@click.option("--confirm-checks", type=click.IntRange(1), help="Failing checks before a link is rotten [3].")
@click.option("--confirm-days", type=click.FloatRange(0), help="Days those checks must span [3].")
@click.option("--method", type=click.Choice(["head", "get"]), help="HEAD first (GET when needed), or GET only [head].")
@click.option("--allow-private", is_flag=True, help="Allow loopback/private/link-local/metadata addresses.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="What makes the exit code 1 [rotten].")
@click.option("--exclude-url", multiple=True, metavar="REGEX", help="Skip URLs matching REGEX (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files matching GLOB (repeatable).")
@click.option("--base-url", metavar="URL", help="Resolve relative links in HTML against this URL.")
@click.option("--user-agent", help="User-Agent header (default: browser-compatible, names linkguard).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")
@click.option("--now", callback=_now, hidden=True, help="Pretend it is this ISO time (for tests).")
def check(paths: tuple[Path, ...], db: Path | None, archive: bool, offline: bool, fmt: str,
          concurrency: int | None, per_host: int | None, per_host_rps: float | None, timeout: float | None,
          max_age: float | None, recheck_after: float | None, confirm_now: bool, confirm_checks: int | None,
          confirm_days: float | None, method: str | None, allow_private: bool, fail_on: str | None,
          exclude_url: tuple[str, ...], exclude: tuple[str, ...], base_url: str | None, user_agent: str | None,
          config_path: Path | None, now: float | None) -> None:
    """Check every cited URL in PATHS and keep the history in an SQLite database."""
    import asyncio
    import re
    import signal
    import time

    from . import runner
    from .canonical import load_rules, validate
    from .check import CheckOptions, FetchOptions
    from .check.policy import Confirmation
    from .extract import Options
    from .models import ExtractError
    from .output import check_summary, check_to_json, check_to_markdown, check_to_text, safe
    from .store import Freshness, Store

    cfg = _config(config_path)
    c = cfg.check
    base = base_url or cfg.base_url
    if base and validate(base):
        raise click.BadParameter(f"{base!r}: {validate(base)}", param_hint="--base-url")
    excluded_urls = (*c.get("exclude_urls", ()), *exclude_url)
    for pattern in excluded_urls:
        try:
            re.compile(pattern)
        except re.error as e:
            raise click.BadParameter(f"{pattern!r}: {e}", param_hint="--exclude-url") from e
    fail = fail_on or c.get("fail_on", "rotten")
    if fail not in FAIL_ON:
        raise click.UsageError(f"fail_on must be one of {', '.join(FAIL_ON)}")
    chosen_method = method or c.get("method", "head")
    if chosen_method not in ("head", "get"):
        raise click.UsageError("method must be 'head' or 'get'")
    offset = (now - time.time()) if now is not None else 0.0

    def clock() -> float:
        return time.time() + offset

    fetch = FetchOptions(
        timeout=timeout or c.get("timeout", 20.0), max_redirects=c.get("max_redirects", 10), method=chosen_method,
        retries=c.get("retries", 3), user_agent=user_agent or c.get("user_agent") or FetchOptions.user_agent,
        headers=c.get("headers", {}), cookies=c.get("cookies", {}),
    )
    try:
        check_options = CheckOptions(
            concurrency=concurrency or c.get("concurrency", 64), per_host=per_host or c.get("per_host", 4),
            per_host_rps=per_host_rps or c.get("per_host_rps"),
            allow_private=allow_private or c.get("allow_private", False),
            allow_networks=tuple(c.get("allow_networks", ())), exclude=excluded_urls,
            resolve=c.get("resolve", {}), fetch=fetch,
        )
        from .check.guard import Guard

        Guard.of(check_options.allow_private, check_options.allow_networks)
    except ValueError as e:
        raise click.UsageError(f"allow_networks: {e}") from e
    options = runner.RunOptions(
        check=check_options,
        confirmation=Confirmation(confirm_checks or c.get("confirm_checks", 3),
                                  confirm_days if confirm_days is not None else c.get("confirm_days", 3.0),
                                  confirm_now),
        freshness=Freshness(max_age if max_age is not None else c.get("max_age", 7 * 86400.0),
                            recheck_after if recheck_after is not None else c.get("recheck_after", 12 * 3600.0)),
        offline=offline,
    )
    extract_options = Options(base_url=base, rules=load_rules(cfg.strip_params, cfg.keep_params),
                              exclude=(*cfg.exclude, *exclude))
    db_path = db or Path(c.get("db", "linkguard.db"))
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(db_path, clock=clock)
    except Exception as e:  # not a database, unwritable directory ...
        raise click.UsageError(f"cannot open the database {db_path}: {e}") from e
    progress = _Progress()

    def on_error(err: ExtractError) -> None:
        click.echo(f"linkguard: error: {safe(err.source)}: {safe(err.error)}", err=True)

    state = runner.start(store, paths)

    async def main_task() -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        assert task is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        await runner.collect_and_check(state, paths, extract_options, store, options,
                                       progress if not offline else None, clock, on_error)

    try:
        asyncio.run(main_task())
    except (asyncio.CancelledError, KeyboardInterrupt):
        state.interrupted = True
    finally:
        progress.close()
    if archive and not offline and not state.interrupted:
        _run_archive(store, cfg, "all", None, False)
    store.finish_run(state.run_id, "interrupted" if state.interrupted else "completed", state.summary())
    states, verdicts = store.run_counts()
    summary = check_summary(states, verdicts, {
        "checked": state.checked, "due": len(state.due), "interrupted": state.interrupted, "offline": offline,
        "citations": state.citations, "files": state.files, "invalid": len(state.invalid),
        "errors": len(state.errors)})
    links = store.iter_run_links()
    if fmt == "json":
        chunks = check_to_json(links, summary, state.invalid)
    elif fmt == "markdown":
        chunks = check_to_markdown(links, summary)
    else:
        chunks = check_to_text(links, summary, state.invalid)
    out = click.get_text_stream("stdout")
    for chunk in chunks:
        out.write(chunk)
    out.flush()
    failing = store.run_failing(fail)
    store.close()
    if state.interrupted:
        click.echo("linkguard: interrupted; what was checked is saved", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if failing:
        sys.exit(EXIT_FAILING)
    sys.exit(EXIT_INPUT if state.errors else EXIT_OK)


@main.command()
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite database [linkguard.db].")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "json", "csv", "sarif"]), default="markdown",
              show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not to stdout.")
@click.option("--only", type=click.Choice(["rotten", "suspect", "failing", "all"]), default="all", show_default=True,
              help="Which links: rotten, suspect, both (failing), or all.")
@click.option("--by", type=click.Choice(["link", "source"]), default="link", show_default=True,
              help="Group by link, or by document (each document with its failing footnotes).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")
def report(db: Path | None, fmt: str, output: Path | None, only: str, by: str, config_path: Path | None) -> None:
    """Write the status report from the database: what rotted, since when, where it is cited, and where
    the archived copy is."""
    from .report import build, render
    from .store import Store

    cfg = _config(config_path)
    db_path = db or Path(cfg.check.get("db", "linkguard.db"))
    if not db_path.exists():
        raise click.UsageError(f"no database at {db_path}: run `linkguard check` first")
    if by == "source" and fmt not in ("markdown", "json"):
        raise click.UsageError("--by source is available for the markdown and json formats")
    try:
        store = Store(db_path)
    except Exception as e:
        raise click.UsageError(f"cannot open the database {db_path}: {e}") from e
    text = render(build(store, only=only, by=by), fmt)
    store.close()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.get_text_stream("stdout").write(text)


@main.group()
def gha() -> None:
    """GitHub Actions helpers used by action.yml (job summary, annotations, outputs, the rot issue)."""


@gha.command("publish")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), default=Path("linkguard.db"), show_default=True)
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the HTML report here (an artifact to upload).")
@click.option("--issue-body", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the Markdown report for the issue here.")
def gha_publish(db: Path, report_path: Path | None, issue_body: Path | None) -> None:
    """Write the Markdown report to $GITHUB_STEP_SUMMARY, annotations to stdout, counts to $GITHUB_OUTPUT."""
    import os

    from .gha import annotations, outputs, write_outputs
    from .report import build, render
    from .store import Store

    if not db.exists():
        raise click.UsageError(f"no database at {db}")
    store = Store(db)
    rep = build(store)
    markdown = render(rep, "markdown")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with open(summary_path, "a", encoding="utf-8") as f:
            f.write(markdown)
    for line in annotations(rep):
        click.echo(line)
    if report_path:
        report_path.write_text(render(rep, "html"), encoding="utf-8")
    if issue_body:
        issue_body.write_text(markdown, encoding="utf-8")
    if os.environ.get("GITHUB_OUTPUT"):
        write_outputs(outputs(rep, str(report_path) if report_path else None), os.environ["GITHUB_OUTPUT"])
    store.close()


@gha.command("issue")
@click.option("--body-file", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True)
@click.option("--title", default="Link rot report", show_default=True)
@click.option("--label", default="link-rot", show_default=True)
@click.option("--failing/--all-clear", required=True, help="Whether links rot (open/update) or not (close).")
@click.option("--any-event", is_flag=True, help="Also on pushes and pull requests (normally: schedule and manual).")
def gha_issue(body_file: Path, title: str, label: str, failing: bool, any_event: bool) -> None:
    """Open, update in place, or close the one issue with LABEL (needs GITHUB_TOKEN, GITHUB_REPOSITORY).

    Only on scheduled and manual runs ($GITHUB_EVENT_NAME schedule or workflow_dispatch), unless --any-event:
    a pull request must not rewrite the project's rot report."""
    import os

    from .gha import from_env

    event = os.environ.get("GITHUB_EVENT_NAME", "")
    if event and event not in ("schedule", "workflow_dispatch") and not any_event:
        click.echo(f"issue left alone: this is a {event} run, not a scheduled or manual one")
        return

    try:
        result = from_env().sync_issue(title, label, body_file.read_text(encoding="utf-8"), failing)
    except RuntimeError as e:
        click.echo(f"linkguard: cannot update the issue: {e}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(f"issue {result.action}" + (f": #{result.number}" if result.number else ""))


def _run_archive(store: object, cfg: Config, only: str, limit: int | None, dry_run: bool) -> dict[str, object]:
    """Run the archive stage with a progress display; print its summary to stderr; return it."""
    import asyncio

    from .archive import ArchiveOptions, archive_links

    options = ArchiveOptions.from_env(cfg.check, dry_run=dry_run)
    progress = _Progress()
    try:
        summary = asyncio.run(archive_links(store, options, only, limit, progress))  # type: ignore[arg-type]
    finally:
        progress.close()
    s = summary.as_dict()
    failed = ", ".join(f"{reason}: {n}" for reason, n in sorted(summary.failed.items())) or "none"
    click.echo(f"linkguard: archive: looked up {s['looked_up']} ({s['found']} with a snapshot), "
               f"{s['cached']} already known, saved {s['saved']}"
               + (f", would save {s['would_save']}" if dry_run else "") + f"; failed: {failed}.", err=True)
    for note in summary.notes:
        click.echo(f"linkguard: {note}", err=True)
    return s


@main.command()
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite database [linkguard.db].")
@click.option("--only", type=click.Choice(["unarchived", "alive", "all"]), default="unarchived", show_default=True,
              help="Links without an archived copy, links that are fine, or every cited link.")
@click.option("--limit", type=click.IntRange(1), help="At most this many links.")
@click.option("--dry-run", is_flag=True, help="Look up snapshots, but save nothing: say what would be saved.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")
def archive(db: Path | None, only: str, limit: int | None, dry_run: bool, fmt: str, config_path: Path | None) -> None:
    """Find the best Wayback snapshot of every cited link; save the pages that need one.

    Keys: IA_ACCESS_KEY and IA_SECRET_KEY in the environment (never on the command line). Endpoints:
    LINKGUARD_WAYBACK_URL, LINKGUARD_AVAILABILITY_URL (or wayback_url / availability_url in the config).
    """
    import json

    from .store import Store

    cfg = _config(config_path)
    db_path = db or Path(cfg.check.get("db", "linkguard.db"))
    if not db_path.exists():
        raise click.UsageError(f"no database at {db_path}: run `linkguard check` first")
    store = Store(db_path)
    summary = _run_archive(store, cfg, only, limit, dry_run)
    store.close()
    if fmt == "json":
        click.echo(json.dumps(summary))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite database [linkguard.db].")
@click.option("--only", type=click.Choice(["rotten", "suspect", "all"]), default="rotten", show_default=True,
              help="Rotten citations; suspect and rotten ones; or every citation that has a snapshot.")
@click.option("--dry-run", is_flag=True, help="Print a unified diff; change nothing.")
@click.option("--style", multiple=True, metavar="FORMAT=TEMPLATE",
              help="What to insert: markdown, text, rst or latex = a template with {url} and {date}; "
                   "bibtex = fields or note (repeatable).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Config file.")
def fix(paths: tuple[Path, ...], db: Path | None, only: str, dry_run: bool, style: tuple[str, ...],
        config_path: Path | None) -> None:
    """Write each selected citation's best archived copy into PATHS, in the idiom of their format."""
    from .fix import fix_paths
    from .output import safe
    from .store import Store

    cfg = _config(config_path)
    db_path = db or Path(cfg.check.get("db", "linkguard.db"))
    if not db_path.exists():
        raise click.UsageError(f"no database at {db_path}: run `linkguard check` and `linkguard archive` first")
    from .fix import STYLES

    styles: dict[str, str] = {}
    for item in style:
        key, sep, value = item.partition("=")
        if not sep or key not in STYLES or (key == "bibtex" and value not in ("fields", "note")) or (
                key != "bibtex" and "{url}" not in value):
            raise click.BadParameter(f"{item!r}: use markdown|text|rst|latex=TEMPLATE with {{url}}, or "
                                     "bibtex=fields|note", param_hint="--style")
        styles[key] = value
    store = Store(db_path)
    results = fix_paths(list(paths), store, only, dry_run, styles)
    store.close()
    errors = 0
    for r in results:
        if dry_run and r.diff:
            click.echo(r.diff, nl=False)
        bits = [f"{'would fix' if dry_run else 'fixed'} {r.fixed}"]
        bits += [f"{n} not fixed: {reason}" for reason, n in sorted(r.skipped.items())]
        if r.error:
            errors += 1
            bits = [f"error: {safe(r.error)}"]
        click.echo(f"linkguard: {safe(r.source)}: " + "; ".join(bits), err=True)
        for c, a in r.paste:
            click.echo(f"linkguard: {safe(r.source)}: cannot fix a {Path(r.source).suffix} in place; "
                       f"paste for {c.line} {safe(c.url)}: {a.url} ({a.date})", err=True)
    total = sum(r.fixed for r in results)
    click.echo(f"linkguard: {'would fix' if dry_run else 'fixed'} {total} citation{'s' if total != 1 else ''} "
               f"in {sum(1 for r in results if r.fixed)} file(s).", err=True)
    sys.exit(EXIT_INPUT if errors else EXIT_OK)
