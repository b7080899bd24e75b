"""The GitHub Action: workflows linted, action.yml validated, its scripts run in a simulated GitHub
environment, and the issue kept against a fake GitHub API on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from aiohttp import web
from conftest import ROOT
from loopback import Loopback
from test_report import store  # noqa: F401  (the filled database fixture)

from linkguard.gha import GitHub, annotations, escape_data, escape_property
from linkguard.report import build
from linkguard.store import Store

BIN = Path(sys.executable).parent


def test_workflows_pass_actionlint() -> None:
    files = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    r = subprocess.run([str(BIN / "actionlint"), *files], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(("schema", "paths"), [
    ("vendor.github-actions", ["action.yml"]),
    ("vendor.github-workflows", [".github/workflows/ci.yml", ".github/workflows/linkguard.yml"]),
])
def test_metadata_matches_the_schemas(schema: str, paths: list[str]) -> None:
    r = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, *paths], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% off\r\nnext") == "50%25 off%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_annotations_cannot_inject_workflow_commands(store: Store) -> None:  # noqa: F811
    r = build(store)
    r.links[0]["url"] = "https://x.example/%0A\n::add-mask::secret\r\n::set-output name=a::b"
    r.links[0]["citations"][0]["source"] = "docs/a,b:c.md"
    lines = list(annotations(r))
    assert all("\n" not in line and "\r" not in line for line in lines)
    assert all(line.startswith(("::warning file=", "::notice file=")) for line in lines)
    first = lines[0]
    assert "file=docs/a%2Cb%3Ac.md" in first and "%0A::add-mask::secret%0D%0A" in first and "%250A" in first
    assert any(",line=9," in line for line in lines)


def test_publish_in_a_simulated_github_environment(tmp_path: Path, store: Store) -> None:  # noqa: F811
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output),
           "GITHUB_EVENT_NAME": "schedule"}
    r = subprocess.run([sys.executable, "-m", "linkguard", "gha", "publish", "--db", store.path, "--report",
                        str(tmp_path / "r.html"), "--issue-body", str(tmp_path / "issue.md")],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert summary.read_text().startswith("# Link rot report")
    values = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert values == {"links": "5", "alive": "1", "suspect": "1", "rotten": "2", "archived": "1",
                      "not_archived": "4", "report-path": str(tmp_path / "r.html")}
    assert len([line for line in r.stdout.splitlines() if line.startswith("::warning ")]) == 3
    assert len([line for line in r.stdout.splitlines() if line.startswith("::notice ")]) == 1
    assert (tmp_path / "issue.md").read_text() == summary.read_text()


class FakeGitHub:
    """Issues of one repository, kept in memory, behind the REST paths linkguard uses."""

    def __init__(self) -> None:
        self.issues: list[dict] = []
        self.auth: list[str] = []
        app = web.Application()
        app.router.add_get("/repos/{owner}/{repo}/issues", self.list)
        app.router.add_post("/repos/{owner}/{repo}/issues", self.create)
        app.router.add_patch("/repos/{owner}/{repo}/issues/{n}", self.edit)
        self.served = Loopback(app)
        self.port = self.served.port

    async def list(self, request: web.Request) -> web.Response:
        self.auth.append(request.headers.get("Authorization", ""))
        label, state = request.query["labels"], request.query["state"]
        return web.json_response([i for i in self.issues if label in i["labels"] and i["state"] == state])

    async def create(self, request: web.Request) -> web.Response:
        body = await request.json()
        issue = {"number": len(self.issues) + 1, "state": "open", **body}
        self.issues.append(issue)
        return web.json_response(issue, status=201)

    async def edit(self, request: web.Request) -> web.Response:
        issue = self.issues[int(request.match_info["n"]) - 1]
        issue.update(await request.json())
        return web.json_response(issue)

    def stop(self) -> None:
        self.served.stop()


def test_one_issue_opened_updated_in_place_and_closed(tmp_path: Path) -> None:
    fake = FakeGitHub()
    try:
        gh = GitHub("o/r", "s3cret-token", f"http://127.0.0.1:{fake.port}")
        assert gh.sync_issue("Link rot report", "link-rot", "all fine", failing=False).action == "none"
        made = gh.sync_issue("Link rot report", "link-rot", "2 rotten", failing=True)
        assert (made.action, made.number) == ("created", 1)
        again = gh.sync_issue("Link rot report", "link-rot", "3 rotten", failing=True)
        assert (again.action, again.number) == ("updated", 1)
        assert len(fake.issues) == 1 and fake.issues[0]["body"] == "3 rotten"
        closed = gh.sync_issue("Link rot report", "link-rot", "all fine", failing=False)
        assert closed.action == "closed" and fake.issues[0]["state"] == "closed"
        assert set(fake.auth) == {"Bearer s3cret-token"}
        body = tmp_path / "b.md"
        body.write_text("1 rotten")
        env = {**os.environ, "GITHUB_TOKEN": "s3cret-token", "GITHUB_REPOSITORY": "o/r",
               "GITHUB_API_URL": f"http://127.0.0.1:{fake.port}"}
        r = subprocess.run([sys.executable, "-m", "linkguard", "gha", "issue", "--body-file", str(body), "--failing"],
                           capture_output=True, text=True, env=env, timeout=60)
        assert r.stdout.strip() == "issue created: #2" and "s3cret" not in r.stdout + r.stderr
        calls = len(fake.auth)
        r = subprocess.run([sys.executable, "-m", "linkguard", "gha", "issue", "--body-file", str(body), "--failing"],
                           capture_output=True, text=True, env={**env, "GITHUB_EVENT_NAME": "pull_request"},
                           timeout=60)
        assert "issue left alone" in r.stdout and len(fake.auth) == calls  # a pull request touches nothing
        r = subprocess.run([sys.executable, "-m", "linkguard", "gha", "issue", "--body-file", str(body), "--failing"],
                           capture_output=True, text=True, env={**env, "GITHUB_EVENT_NAME": "schedule"}, timeout=60)
        assert r.stdout.strip() == "issue updated: #2"
    finally:
        fake.stop()


def test_issue_without_a_token_is_a_clear_error(tmp_path: Path) -> None:
    body = tmp_path / "b.md"
    body.write_text("x")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GITHUB_REPOSITORY")}
    r = subprocess.run([sys.executable, "-m", "linkguard", "gha", "issue", "--body-file", str(body), "--failing"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 3 and "GITHUB_TOKEN" in r.stderr


def test_action_runs_check_publish_and_issue_steps() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    runs = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "linkguard" in runs and "gha publish" in runs and "gha issue" in runs
    assert "${{" not in runs  # inputs reach scripts through env, never spliced into the shell text
    assert set(action["outputs"]) >= {"links", "rotten", "suspect", "report-path"}


def test_workflow_persists_the_database_with_the_cache() -> None:
    text = (ROOT / "action.yml").read_text()
    assert "actions/cache/restore@" in text and "actions/cache/save@" in text and "restore-keys" in text


def test_action_can_open_a_pull_request_with_the_fixes() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert {"fix-pr", "fix-only", "fix-branch"} <= set(action["inputs"])
    step = next(s for s in action["runs"]["steps"] if "linkguard fix" in s.get("run", ""))
    assert "inputs.fix-pr == 'true'" in step["if"] and "schedule" in step["if"]
    assert "gh pr create" in step["run"] and "${{" not in step["run"]
