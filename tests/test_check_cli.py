"""`linkguard check` end to end: the real entry point in a subprocess, a real server on loopback."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE


def project(tmp_path: Path, server, paths: list[str], name: str = "doc.md") -> Path:
    """A folder with a footnoted document citing `paths` on the server, and a config allowing 127.0.0.1."""
    (tmp_path / "linkguard.toml").write_text('allow_networks = ["127.0.0.1/32"]\nretries = 2\ntimeout = "3s"\n')
    lines = ["# Doc", ""] + [f"Claim {i}.[^{i}]" for i in range(1, len(paths) + 1)] + [""]
    lines += [f"[^{i}]: Source {i}, 22 May 2025, {server.url(p)}" for i, p in enumerate(paths, 1)]
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path


def lg(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "linkguard", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_json_output_and_exit_codes(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/ok/j1", "/status/404/j2", "/moved/j3", "/forbidden/j4"])
    r = lg(d, "check", ".", "--format", "json")
    assert r.returncode == 0, r.stderr  # dead once is suspect, not rotten: --fail-on rotten passes
    data = json.loads(r.stdout)
    by = {x["url"].rsplit("/", 1)[-1]: x for x in data["links"]}
    assert {k: (v["status"], v["state"]) for k, v in by.items()} == {
        "j1": ("alive", "ok"), "j2": ("dead", "suspect"), "j3": ("redirected", "ok"), "j4": ("blocked", "unknown")}
    assert set(by["j1"]) >= {"url", "status", "state", "http_status", "final_url", "redirects", "error",
                             "checked_at", "archive_url", "citations"}
    assert by["j3"]["final_url"].endswith("/ok/j3") and by["j3"]["redirects"][0]["status"] == 301
    assert by["j2"]["citations"] == [{"source": "doc.md", "line": 9, "label": "2", "accessed": "2025-05-22"}]
    assert data["summary"]["checked"] == 4
    assert lg(d, "check", ".", "--fail-on", "dead", "--max-age", "0", "--recheck-after", "0").returncode == 1
    assert lg(d, "check", ".", "--fail-on", "suspect").returncode == 1
    assert lg(d, "check", ".", "--fail-on", "never").returncode == 0
    assert lg(d, "check", ".", "--confirm-now", "--recheck-after", "0").returncode == 1  # rotten now


def test_second_run_makes_zero_requests(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/ok/z1", "/status/404/z2", "/nohead/z3"])
    assert lg(d, "check", ".").returncode == 0
    before = server.requests
    r = lg(d, "check", ".", "--format", "json")
    assert server.requests == before
    assert json.loads(r.stdout)["summary"]["checked"] == 0


def test_rot_over_simulated_days(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/status/410/days"])
    states = []
    for day in ("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04T01:00:00"):
        r = lg(d, "check", ".", "--format", "json", "--now", day)
        states.append(json.loads(r.stdout)["links"][0]["state"])
    assert states == ["suspect", "suspect", "suspect", "rotten"]
    r = lg(d, "check", ".", "--now", "2026-03-04T02:00:00", "--format", "json")
    assert r.returncode == 1  # still rotten; not re-checked so soon (recheck-after 12 h)
    assert json.loads(r.stdout)["summary"]["checked"] == 0


def test_offline_records_without_network(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/ok/off"])
    before = server.requests
    r = lg(d, "check", ".", "--offline", "--format", "json")
    assert r.returncode == 0 and server.requests == before
    data = json.loads(r.stdout)
    assert data["links"][0]["state"] == "unchecked"
    db = sqlite3.connect(d / "linkguard.db")
    assert db.execute("SELECT count(*) FROM citations").fetchone()[0] == 1


def test_sample_offline_from_the_readme(tmp_path: Path) -> None:
    r = lg(tmp_path, "check", str(SAMPLE), "--offline", "--db", str(tmp_path / "x.db"))
    assert r.returncode == 0
    assert "9 links: 9 unchecked" in r.stdout and "fttps://www.facebook.com" in r.stdout


def test_removed_citations_disappear(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/ok/r1", "/ok/r2"])
    lg(d, "check", ".", "--offline")
    project(tmp_path, server, ["/ok/r1"])
    lg(d, "check", ".", "--offline")
    db = sqlite3.connect(d / "linkguard.db")
    assert [r[0].rsplit("/", 1)[-1] for r in db.execute("SELECT url FROM citations")] == ["r1"]


def test_usage_errors(tmp_path: Path) -> None:
    assert lg(tmp_path, "check", str(SAMPLE), "--fail-on", "sometimes").returncode == 2
    assert lg(tmp_path, "check", str(SAMPLE), "--max-age", "soon").returncode == 2
    assert lg(tmp_path, "check", str(SAMPLE), "--exclude-url", "(").returncode == 2
    (tmp_path / "not.db").write_text("this is not a database")
    assert lg(tmp_path, "check", str(SAMPLE), "--db", str(tmp_path / "not.db")).returncode == 2


def test_input_errors_exit_3_and_the_rest_is_checked(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/ok/e1"])
    r = lg(d, "check", ".", str(d / "missing.md"), "--format", "json")
    assert r.returncode == 3 and json.loads(r.stdout)["links"][0]["status"] == "alive"


def _slow_project(tmp_path: Path, server, n: int, tag: str) -> Path:
    d = project(tmp_path, server, [f"/count/{tag}{i}" for i in range(n)])
    with open(d / "linkguard.toml", "a") as f:
        f.write("per_host = 1\n")
    return d


def test_kill_9_then_resume_without_rechecking(tmp_path: Path, server) -> None:
    d = _slow_project(tmp_path, server, 30, "k")  # 30 x 0.2 s, one at a time: 6 s
    proc = subprocess.Popen([sys.executable, "-m", "linkguard", "check", "."], cwd=d,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    db = sqlite3.connect(d / "linkguard.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = {r[0] for r in db.execute("SELECT url FROM checks")}
    assert 0 < len(done) < 30
    db.close()
    hits_before = {u: server.hits[u.split(str(server.port), 1)[1]] for u in done}
    r = lg(d, "check", ".", "--format", "json")
    assert r.returncode == 0
    for u in done:  # what was committed before the kill was not asked again
        assert server.hits[u.split(str(server.port), 1)[1]] == hits_before[u]
    assert {x["state"] for x in json.loads(r.stdout)["links"]} == {"ok"}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_stop_cleanly_with_results_saved(tmp_path: Path, server, sig) -> None:
    d = _slow_project(tmp_path, server, 30, f"s{int(sig)}-")
    proc = subprocess.Popen([sys.executable, "-m", "linkguard", "check", ".", "--format", "json"], cwd=d,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    proc.send_signal(sig)
    out, err = proc.communicate(20)
    assert proc.returncode == 130, err
    data = json.loads(out)
    assert data["summary"]["interrupted"] and 0 < data["summary"]["checked"] < 30
    db = sqlite3.connect(d / "linkguard.db")
    assert db.execute("SELECT count(*) FROM checks").fetchone()[0] == data["summary"]["checked"]
    assert db.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"


def test_two_runs_on_one_database_at_once(tmp_path: Path, server) -> None:
    d = _slow_project(tmp_path, server, 10, "a")
    (d / "other.md").write_text("".join(f"[^{i}]: x {server.url(f'/count/b{i}')}\n" for i in range(10)))
    procs = [subprocess.Popen([sys.executable, "-m", "linkguard", "check", name], cwd=d,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for name in ("doc.md", "other.md")]
    for p in procs:
        _, err = p.communicate(60)
        assert p.returncode == 0, err
    db = sqlite3.connect(d / "linkguard.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(DISTINCT url) FROM checks").fetchone()[0] == 20


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_hostile_urls_are_escaped(tmp_path: Path, server, fmt: str) -> None:
    evil = server.url('/status/404/x"><script>alert(1)</script>|*a*')
    (tmp_path / "linkguard.toml").write_text('allow_networks = ["127.0.0.1/32"]\n')
    (tmp_path / "doc.html").write_text(f'<p><a href="{evil.replace(chr(34), "&quot;")}">x</a>\x1b[31m</p>')
    r = lg(tmp_path, "check", ".", "--format", fmt)
    assert "\x1b" not in r.stdout  # nothing reaches the terminal as a control sequence
    if fmt == "markdown":  # nothing renders as markup
        assert "<script>" not in r.stdout and "\\<script\\>" in r.stdout and "\\|" in r.stdout


def test_readme_documents_check() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in ("alive", "redirected", "dead", "soft-404", "blocked", "rate-limited", "timeout", "error",
                 "refused", "skipped", "--fail-on", "--allow-private", "| 1 |", "| 130 |"):
        assert word in readme, word


def test_a_failing_link_is_rechecked_with_get(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/headlies/g1"])  # HEAD says 404, GET says 200
    first = json.loads(lg(d, "check", ".", "--format", "json").stdout)["links"][0]
    assert (first["status"], first["state"]) == ("dead", "suspect")
    second = json.loads(lg(d, "check", ".", "--format", "json", "--recheck-after", "0").stdout)["links"][0]
    assert (second["status"], second["state"]) == ("alive", "ok")
    assert server.methods.count(("GET", "/headlies/g1")) == 1


def test_plain_progress_lines_when_not_on_a_terminal(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, [f"/ok/p{i}" for i in range(3)])
    r = lg(d, "check", ".")
    assert "linkguard: checked 3/3 (100%)" in r.stderr
    assert "\x1b[" not in r.stderr  # no progress-bar drawing outside a terminal


def test_markdown_output_is_a_table_and_config_headers_reach_the_site(tmp_path: Path, server) -> None:
    d = project(tmp_path, server, ["/echo/md1", "/status/404/md2"])
    with open(d / "linkguard.toml", "a") as f:
        f.write('per_host_rps = 50\n[headers."127.0.0.1"]\nX-Api-Key = "k1"\n[cookies."127.0.0.1"]\nconsent = "yes"\n')
    r = lg(d, "check", ".", "--format", "markdown")
    rows = [line for line in r.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| state | link | result | cited at |"
    assert rows[1].startswith("| suspect |") and "doc.md:7 \\[2\\]" in rows[1]
    assert rows[2].startswith("| ok |") and all(row.count(" | ") == 3 for row in rows)
    seen = server.headers["/echo/md1"]
    assert seen["X-Api-Key"] == "k1" and seen["Cookie"] == "consent=yes"


def test_database_folder_is_created_and_an_empty_corpus_is_fine(tmp_path: Path) -> None:
    r = lg(tmp_path, "check", ".", "--db", "history/links.db", "--format", "json")
    assert r.returncode == 0 and (tmp_path / "history" / "links.db").exists()
    assert json.loads(r.stdout)["summary"]["links"] == 0


def test_progress_lines_while_files_are_still_being_read(capsys) -> None:
    """Checking starts before the last file is read: no percentage of a total still growing, then the
    usual lines, and the final count said once."""
    from linkguard.cli import _Progress

    now = [0.0]
    p = _Progress()
    p.time = lambda: now[0]
    p(1, 5, True)  # at 0 s: nothing yet
    now[0] = 11.0
    p(2, 9, True)  # at 11 s: a line without a percentage
    now[0] = 12.0
    p(5, 10, False)
    p(10, 10, False)
    p(10, 10, False)  # said already
    err = capsys.readouterr().err.splitlines()
    assert err == ["linkguard: checked 2 of 9 links found so far (still reading files)",
                   "linkguard: checked 5/10 (50%)", "linkguard: checked 10/10 (100%)"]
