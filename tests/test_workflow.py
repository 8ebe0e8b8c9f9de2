"""The generated CI workflow, checked as data: what a security reviewer reads first."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from helpers import TEMPLATES

WORKFLOW = ".github/workflows/docker-publish.yml"
USES = re.compile(
    r"^\s*(?:- )?uses: (?P<repo>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?: # (?P<version>\S+))?$"
)
TABLE_ROW = re.compile(
    r'"repo": "(?P<repo>[^"]+)", "version": "(?P<version>[^"]+)", "sha": "(?P<sha>[0-9a-f]{40})"'
)


def _action_table() -> dict[str, tuple[str, str]]:
    """repository -> (version, sha), from the template's one table of pinned actions."""
    rows = TABLE_ROW.findall((TEMPLATES / "data/actions.jinja").read_text())
    table = {repo: (version, sha) for repo, version, sha in rows}
    assert len(table) == len(rows), "an action is listed twice in data/actions.jinja"
    return table


def _workflow(combo_dir: Path) -> tuple[str, dict[str, Any]] | None:
    path = combo_dir / WORKFLOW
    if not path.exists():
        return None
    text = path.read_text()
    return text, yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader: `on` stays a string


def test_every_action_is_pinned_to_the_sha_of_its_listed_release(combo_dir: Path) -> None:
    workflow = _workflow(combo_dir)
    if workflow is None:
        return
    table = _action_table()
    uses = [USES.match(line) for line in workflow[0].splitlines() if "uses:" in line]
    assert uses and all(uses), "a `uses:` line is not `owner/repo@<sha> # <version>`"
    for match in uses:
        assert match is not None
        repo, ref, version = match["repo"], match["ref"], match["version"]
        assert repo in table, f"{repo} is not in the template's action table"
        assert (version, ref) == table[repo], f"{repo}@{ref} # {version} is not {table[repo]}"


def test_every_table_row_is_used_by_some_workflow() -> None:
    template = (TEMPLATES / "template" / f"{WORKFLOW}.jinja").read_text()
    names = re.findall(r'^  "([\w-]+)": \{', (TEMPLATES / "data/actions.jinja").read_text(), re.M)
    for name in names:
        assert f"uses('{name}')" in template, (
            f"data/actions.jinja lists {name}, no workflow uses it"
        )


def test_permissions_start_empty_and_every_grant_says_why(combo_dir: Path) -> None:
    workflow = _workflow(combo_dir)
    if workflow is None:
        return
    text, data = workflow
    assert data["permissions"] == {}, "the workflow must start from `permissions: {}`"
    for name, job in data["jobs"].items():
        assert "permissions" in job, f"job {name} inherits permissions instead of naming them"
        for scope, level in job["permissions"].items():
            line = next(
                ln for ln in text.splitlines() if ln.strip().startswith(f"{scope}: {level}")
            )
            assert " # " in line, f"job {name}: `{scope}: {level}` has no comment saying why"
        writes = {s for s, level in job["permissions"].items() if level == "write"}
        assert writes <= {"packages"}, f"job {name} can write {writes}"


def test_no_expression_reaches_a_shell_and_checkout_keeps_no_token(combo_dir: Path) -> None:
    workflow = _workflow(combo_dir)
    if workflow is None:
        return
    text, data = workflow
    assert "pull_request_target" not in text
    for name, job in data["jobs"].items():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), f"job {name}: an expression inside `run:`"
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] == "false", f"job {name}: checkout"


def test_only_non_pull_request_events_push(combo_dir: Path) -> None:
    workflow = _workflow(combo_dir)
    if workflow is None:
        return
    _, data = workflow
    for name, job in data["jobs"].items():
        pushes = [s for s in job["steps"] if s.get("with", {}).get("push") == "true"]
        logs_in = [s for s in job["steps"] if "login-action" in s.get("uses", "")]
        if pushes or logs_in:
            assert job.get("if") == "github.event_name == 'push'", f"job {name} pushes on PRs"


@functools.cache
def _schema_errors(text: str) -> str:
    """check-jsonschema against its vendored GitHub workflow schema (identical texts once)."""
    tool = shutil.which("check-jsonschema")
    assert tool, "check-jsonschema is not installed: run `pip install .[test]`"
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch, "docker-publish.yml")
        path.write_text(text)
        result = subprocess.run(
            [tool, "--builtin-schema", "vendor.github-workflows", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    return "" if result.returncode == 0 else result.stdout + result.stderr


def test_workflow_matches_githubs_workflow_schema(combo_dir: Path) -> None:
    workflow = _workflow(combo_dir)
    if workflow is None:
        return
    errors = _schema_errors(workflow[0])
    assert not errors, errors
