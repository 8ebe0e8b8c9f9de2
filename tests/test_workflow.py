"""The generated CI files, checked as data: what a security reviewer reads first.

Every combination of the publishing answers (registry x CI x platforms x attest/scan/sign x
dev/test) is rendered once; the linters, the schemas and the checks below run on each. The
service combinations' workflows (which differ in their private-package lines) are linted too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import TEMPLATES, lint_workflows, schema_errors
from tags import tags_for

WORKFLOW = ".github/workflows/docker-publish.yml"
GITLAB = ".gitlab-ci.yml"
DEPENDABOT = ".github/dependabot.yml"  # checked in test_dependency_updates.py
USES = re.compile(
    r"^\s*(?:- )?uses: (?P<repo>[\w.-]+/[\w.-]+)@(?P<ref>\S+)(?: # (?P<version>\S+))?$"
)
TABLE_ROW = re.compile(
    r'"repo": "(?P<repo>[^"]+)", "version": "(?P<version>[^"]+)", "sha": "(?P<sha>[0-9a-f]{40})"'
)
# Actions that ask GitHub for an OIDC token (the `id-token: write` permission).
OIDC_ACTIONS = {
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
    "sigstore/cosign-installer",
}
NOT_ON_TAGS = "!startsWith(github.ref, 'refs/tags/')"


def _action_table() -> dict[str, tuple[str, str]]:
    """repository -> (version, sha), from the template's one table of pinned actions."""
    rows = TABLE_ROW.findall((TEMPLATES / "data/actions.jinja").read_text())
    table = {repo: (version, sha) for repo, version, sha in rows}
    assert len(table) == len(rows), "an action is listed twice in data/actions.jinja"
    return table


def _load(path: Path) -> tuple[str, dict[str, Any]] | None:
    if not path.exists():
        return None
    text = path.read_text()
    return text, yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader: `on` stays a string


def _workflow(folder: Path) -> tuple[str, dict[str, Any]]:
    found = _load(folder / WORKFLOW)
    assert found is not None, f"{folder.name} has no GitHub workflow"
    return found


@pytest.fixture
def workflow(
    github_pipeline: str, rendered_pipelines: dict[str, Path]
) -> tuple[str, dict[str, Any]]:
    """The text and data of a GitHub pipeline combination's workflow."""
    return _workflow(rendered_pipelines[github_pipeline])


def _steps(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in data["jobs"].items() for step in job["steps"]]


def _repo(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0].lower()


@pytest.fixture(scope="session")
def workflow_findings(
    rendered_pipelines: dict[str, Path], rendered: dict[str, tuple[dict[str, Any], Path]]
) -> dict[str, list[str]]:
    folders = [*rendered_pipelines.values(), *(folder for _, folder in rendered.values())]
    return lint_workflows({(f / WORKFLOW).read_text() for f in folders if (f / WORKFLOW).exists()})


# --- which files each CI choice writes


def test_each_ci_choice_writes_its_own_files_only(pipeline: str, pipeline_dir: Path) -> None:
    ci = pipeline.split("-", maxsplit=1)[0]
    assert (pipeline_dir / WORKFLOW).exists() == (ci == "github")
    assert (pipeline_dir / DEPENDABOT).exists() == (ci == "github")
    assert (pipeline_dir / GITLAB).exists() == (ci == "gitlab")
    assert (pipeline_dir / "renovate.json").exists() == (ci == "gitlab")
    if ci != "github":
        assert not (pipeline_dir / ".github").exists()


# --- linters and schemas


def test_workflow_passes_actionlint_zizmor_and_the_schema(
    workflow: tuple[str, dict[str, Any]], workflow_findings: dict[str, list[str]]
) -> None:
    assert workflow_findings[workflow[0]] == []


def test_every_services_workflow_passes_actionlint_zizmor_and_the_schema(
    combo_dir: Path, workflow_findings: dict[str, list[str]]
) -> None:
    assert workflow_findings[_workflow(combo_dir)[0]] == []


def test_the_linters_report_each_workflows_own_findings() -> None:
    """The batched linting maps findings to the right workflow, and would see a broken one."""
    clean = (TEMPLATES.parent / "tests/scenarios/python-defaults/expected" / WORKFLOW).read_text()
    injected = clean.replace(
        "      - name: Build the production image\n",
        "      - run: echo ${{ github.event.pull_request.title }}\n"
        "      - name: Build the production image\n",
        1,
    )
    invalid = clean.replace("runs-on: ubuntu-24.04", "runs-on: [ubuntu-24.04, {a: b}]", 1)
    found = lint_workflows({clean, injected, invalid})
    assert found[clean] == []
    assert any("actionlint" in f for f in found[injected])
    assert any("zizmor: template-injection" in f for f in found[injected])
    assert any(f.startswith("schema") for f in found[invalid]), found[invalid]


def test_gitlab_ci_matches_gitlabs_schema(
    gitlab_pipeline: str, rendered_pipelines: dict[str, Path]
) -> None:
    found = _load(rendered_pipelines[gitlab_pipeline] / GITLAB)
    assert found is not None
    errors = schema_errors("vendor.gitlab-ci", ".gitlab-ci.yml", found[0])
    assert not errors, errors


# --- pinned actions


def test_every_action_is_pinned_to_the_sha_of_its_listed_release(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    text, _ = workflow
    table = _action_table()
    uses = [USES.match(line) for line in text.splitlines() if "uses:" in line]
    assert uses and all(uses), "a `uses:` line is not `owner/repo@<sha> # <version>`"
    for match in uses:
        assert match is not None
        repo, ref, version = match["repo"], match["ref"], match["version"]
        assert repo in table, f"{repo} is not in the template's action table"
        assert (version, ref) == table[repo], f"{repo}@{ref} # {version} is not {table[repo]}"


def test_every_table_row_is_used_by_some_workflow(rendered_pipelines: dict[str, Path]) -> None:
    used = {
        match["repo"]
        for folder in rendered_pipelines.values()
        if (folder / WORKFLOW).exists()
        for match in map(USES.match, (folder / WORKFLOW).read_text().splitlines())
        if match
    }
    assert set(_action_table()) == used, "data/actions.jinja lists an action no workflow uses"


# --- least privilege


def test_permissions_start_empty_and_every_grant_is_needed_and_says_why(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    text, data = workflow
    assert data["permissions"] == {}, "the workflow must start from `permissions: {}`"
    for name, job in data["jobs"].items():
        assert "permissions" in job, f"job {name} inherits permissions instead of naming them"
        for scope, level in job["permissions"].items():
            line = next(
                ln for ln in text.splitlines() if ln.strip().startswith(f"{scope}: {level}")
            )
            assert " # " in line, f"job {name}: `{scope}: {level}` has no comment saying why"
        steps = job["steps"]
        needs = {"contents": "read"}
        if any(s.get("with", {}).get("registry") == "ghcr.io" for s in steps):
            needs["packages"] = "write"
        if any(_repo(s) in OIDC_ACTIONS for s in steps):
            needs["id-token"] = "write"
        assert job["permissions"] == needs, f"job {name}: {job['permissions']}, needs {needs}"


def test_oidc_registries_use_no_stored_credentials(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    if not github_pipeline.startswith(("github-ecr-", "github-gar-", "github-acr-")):
        return
    _, data = workflow  # parsed: the commented private-package lines are not read
    assert "secrets." not in yaml.safe_dump(data), "a stored secret where OIDC is available"


# --- untrusted input, pull requests, caches


def test_no_expression_reaches_a_shell_and_checkout_keeps_no_token(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    text, data = workflow
    assert "pull_request_target" not in text
    for name, step in _steps(data):
        assert "${{" not in step.get("run", ""), f"job {name}: an expression inside `run:`"
        if _repo(step) == "actions/checkout":
            assert step["with"]["persist-credentials"] == "false", f"job {name}: checkout"


def test_only_pushes_log_in_push_or_see_secrets(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    _, data = workflow
    assert set(data["on"]) == {"push", "pull_request"}
    for name, job in data["jobs"].items():
        privileged = any(
            step.get("with", {}).get("push") == "true"
            or "push=true" in step.get("with", {}).get("outputs", "")
            or "login" in _repo(step)
            or _repo(step) in OIDC_ACTIONS
            or "secrets." in yaml.safe_dump(step)
            for step in job["steps"]
        )
        if privileged:
            assert job.get("if") == "github.event_name == 'push'", f"job {name} runs on PRs"
            assert job.get("environment") == "release", f"job {name}: secrets outside `release`"


def test_release_runs_restore_no_cache(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    """A v* tag run must not restore a cache another run could have written (cache poisoning)."""
    _, data = workflow
    for name, step in _steps(data):
        given = step.get("with", {})
        for key in ("cache-from", "cache-to"):
            if key in given:
                assert NOT_ON_TAGS in given[key], f"job {name}: {key} {given[key]} on tag runs"
        if _repo(step) == "aquasecurity/trivy-action":
            assert given["cache"] == "false", "the scanner restores its database from a cache"


def test_qemu_is_set_up_only_for_a_non_native_platform(
    github_pipeline: str, workflow: tuple[str, dict[str, Any]]
) -> None:
    _, data = workflow
    for name, job in data["jobs"].items():
        platforms = {
            p
            for s in job["steps"]
            for p in s.get("with", {}).get("platforms", "linux/amd64").split(",")
        }
        qemu = any(_repo(s) == "docker/setup-qemu-action" for s in job["steps"])
        assert qemu == (platforms != {"linux/amd64"}), f"job {name}: QEMU for {platforms}"


# --- tags

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("refs/tags/v1.2.3", ["1.2.3", "1.2", "1", "sha-0123456"]),
        ("refs/tags/v2.0.0-rc.1", ["2.0.0-rc.1", "sha-0123456"]),
        ("refs/tags/vnext", ["sha-0123456"]),
        ("refs/heads/main", ["main", "sha-0123456", "latest"]),
        ("refs/heads/feature/login", ["feature-login", "sha-0123456"]),
    ],
)
def test_tags_follow_the_metadata_rules(
    ref: str, expected: list[str], rendered_pipelines: dict[str, Path]
) -> None:
    """The tags metadata-action documents for these rules; `latest` only on the default branch."""
    _, data = _workflow(rendered_pipelines["github-dockerhub-amd64-attest-scan-dtp"])
    assert tags_for(data, ref, SHA) == expected


def _gitlab_tags(text: str, env: dict[str, str]) -> list[str]:
    """Run the GitLab publish script with `docker` replaced by a recorder: the tags it pushes."""
    script = yaml.safe_load(text)["publish"]["script"][-1]
    recorder = (
        'docker() { shift 2; while [ $# -gt 0 ]; do [ "$1" = --tag ] && echo "$2"; shift; done; }'
    )
    result = subprocess.run(
        ["sh", "-euc", f"{recorder}\n{script}"],
        env={"PATH": "/usr/bin:/bin", "IMAGE": "registry.example.com/g/svc", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split(":", 1)[1] for line in result.stdout.split()]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ({"CI_COMMIT_TAG": "v1.2.3"}, ["1.2.3", "1.2", "1"]),
        ({"CI_COMMIT_TAG": "v2.0.0-rc.1"}, ["2.0.0-rc.1"]),
        ({"CI_COMMIT_REF_SLUG": "main"}, ["main", "latest"]),
    ],
)
def test_gitlab_tags_match_the_github_rules(
    ref: dict[str, str], expected: list[str], rendered_pipelines: dict[str, Path]
) -> None:
    text = (rendered_pipelines["gitlab-gitlab-attest-dtp"] / GITLAB).read_text()
    env = {"CI_COMMIT_SHA": SHA, "CI_COMMIT_SHORT_SHA": SHA[:8], "CI_PROJECT_URL": "u", **ref}
    assert sorted(_gitlab_tags(text, env)) == sorted([*expected, f"sha-{SHA[:8]}"])


def test_gitlab_logs_in_through_stdin_and_pushes_only_from_the_default_branch_and_tags(
    gitlab_pipeline: str, rendered_pipelines: dict[str, Path]
) -> None:
    found = _load(rendered_pipelines[gitlab_pipeline] / GITLAB)
    assert found is not None
    data = yaml.safe_load(found[0])
    pushing = [name for name, job in data.items() if "--push" in str(job)]
    assert pushing == ["publish"]
    rules = [r["if"] for r in data["publish"]["rules"]]
    assert rules == ["$CI_COMMIT_TAG =~ /^v/", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    login = data["publish"]["script"][0]
    assert "--password-stdin" in login and " -p " not in login and "--password " not in login


def test_every_publishing_answer_asked_changes_the_files(
    rendered_pipelines: dict[str, Path],
) -> None:
    """Two pipeline combinations that differ in one answer differ in a generated file (the
    answers file aside): no question is asked only to be ignored."""
    from helpers import pipeline_id, pipelines, tree

    combos = {pipeline_id(a): a for a in pipelines()}
    outputs = {
        key: {k: v for k, v in tree(folder).items() if k != ".copier-answers.yml"}
        for key, folder in rendered_pipelines.items()
    }
    compared = 0
    for key, answers in combos.items():
        for other_key, other in combos.items():
            differing = [k for k in answers if answers[k] != other.get(k)]
            if key < other_key and len(differing) == 1 and set(answers) == set(other):
                compared += 1
                assert outputs[key] != outputs[other_key], f"{differing[0]} changes nothing"
    assert compared > 100
