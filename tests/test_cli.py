"""End-to-end through the real entry point (`python -m linkguard`) and click's runner."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLE

import linkguard
from linkguard.cli import main


def lg(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "linkguard", *args], capture_output=True, text=True,
                          input=stdin, cwd=cwd or ROOT, timeout=60)


def test_extract_sample_json() -> None:
    r = lg("extract", str(SAMPLE), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) >= {"links", "invalid", "errors"}
    footnotes = [c for c in data["links"] if c["context"] == "footnote"]
    assert [c["label"] for c in footnotes] == ["1", "2", "3", "4", "5", "6", "7"]
    assert sum(1 for c in data["links"] if "utm_source=chatgpt.com" in c["original"]) == 3
    assert not any("utm_source" in c["url"] for c in data["links"])
    assert {c["accessed"] for c in footnotes} == {"2025-05-22", "2025-05-25"}
    assert {c["date_kind"] for c in footnotes} == {"cited"}
    assert [(i["original"], i["line"]) for i in data["invalid"]] == [
        ("fttps://www.facebook.com/avrasyaincelemelerimerkezi", 49)]
    assert data["errors"] == []
    keys = {"url", "original", "source", "line", "label", "accessed", "date_kind", "title", "context",
            "archived_url", "archived_at"}
    assert all(keys <= set(c) for c in data["links"])


def test_extract_text_groups_by_url(tmp_path: Path) -> None:
    doc = tmp_path / "twice.md"
    doc.write_text("A [x](https://a.example/p?utm_source=n).\n\nB https://a.example/p again.\n")
    r = lg("extract", str(doc))
    assert r.returncode == 0
    assert "https://a.example/p  (2 citations)" in r.stdout
    assert f"{doc}:1  inline" in r.stdout and f"{doc}:3  bare" in r.stdout
    assert "1 link (2 citations) in 1 file" in r.stdout


def test_exit_code_3_when_an_input_is_unreadable_but_the_rest_prints(tmp_path: Path) -> None:
    r = lg("extract", str(SAMPLE), str(tmp_path / "missing.md"), "--format", "json")
    assert r.returncode == 3
    data = json.loads(r.stdout)
    assert len(data["links"]) == 9 and data["errors"][0]["source"].endswith("missing.md")
    assert "missing.md" in r.stderr


def test_exit_code_2_on_usage_errors(tmp_path: Path) -> None:
    assert lg("extract").returncode == 2
    assert lg("extract", str(SAMPLE), "--format", "yaml").returncode == 2
    assert lg("extract", str(SAMPLE), "--base-url", "not a url").returncode == 2
    bad = tmp_path / "linkguard.toml"
    bad.write_text("exclude = 3\n")
    r = lg("extract", str(SAMPLE), "--config", str(bad))
    assert r.returncode == 2 and "must be a list" in r.stderr


def test_exclude_and_base_url(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text('<a href="/x">x</a>')
    (tmp_path / "b.md").write_text("https://b.example/")
    r = lg("extract", str(tmp_path), "--exclude", "*.md", "--base-url", "https://site.example/", "--format", "json")
    assert [c["url"] for c in json.loads(r.stdout)["links"]] == ["https://site.example/x"]


def test_config_from_linkguard_toml(tmp_path: Path) -> None:
    (tmp_path / "linkguard.toml").write_text('strip_params = ["xtor"]\nexclude = ["skip/"]\nsurprise = 1\n')
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "s.txt").write_text("https://skipped.example/")
    (tmp_path / "d.txt").write_text("https://d.example/?xtor=RSS-1&id=2")
    r = lg("extract", ".", "--format", "json", cwd=tmp_path)
    assert [c["url"] for c in json.loads(r.stdout)["links"]] == ["https://d.example/?id=2"]
    assert "unknown keys ignored: surprise" in r.stderr


def test_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.linkguard]\nkeep_params = ["utm_source"]\n')
    r = lg("clean-url", "https://a.example/?utm_source=x&fbclid=1", cwd=tmp_path)
    assert r.stdout == "https://a.example/?utm_source=x\n"


def test_clean_url_args_and_stdin() -> None:
    r = lg("clean-url", "HTTPS://Example.COM:443/a?utm_source=chatgpt.com&id=3")
    assert (r.returncode, r.stdout) == (0, "https://example.com/a?id=3\n")
    r = lg("clean-url", stdin="https://a.example/?gclid=1\nfttps://bad\n\nhttp://b.example\n")
    assert r.stdout == "https://a.example/\n\n\nhttp://b.example/\n"
    assert r.returncode == 3 and "fttps://bad" in r.stderr


def test_hostile_text_cannot_drive_the_terminal(tmp_path: Path) -> None:
    doc = tmp_path / "evil.txt"
    doc.write_bytes(b"[1] Title \x1b[31mred, https://evil.example/a\x1b]0;pwned\x07 end\n")
    r = lg("extract", str(doc))
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"linkguard {name}" in readme, name


def test_readme_exit_codes_match_the_cli() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ("| 0 |", "| 2 |", "| 3 |"):
        assert code in readme


def test_public_api_is_curated() -> None:
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(linkguard.__path__)}
    exported = {n for n in dir(linkguard) if not n.startswith("_") and n != "annotations"} - modules
    assert exported == set(linkguard.__all__) - {"__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", linkguard.__version__)
    assert linkguard.check_urls and linkguard.CheckOptions and linkguard.Store  # lazily imported


def test_library_api_extract_path() -> None:
    cits = list(linkguard.extract_path(FIXTURES / "refs.bib"))
    assert [c.label for c in cits] == ["mod2025", "other"]


def test_click_runner_version() -> None:
    r = CliRunner().invoke(main, ["--version"])
    assert r.exit_code == 0 and linkguard.__version__ in r.output


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("Run the tests", 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert block in ci_lines
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert block in workflow
