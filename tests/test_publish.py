"""The publish job, read as data and run step by step: a tag appears only on a scanned digest.

The workflow pushes the image by digest (no tag), scans every platform of that digest, signs it,
and only then copies the digest to the metadata-action tags with `docker buildx imagetools
create`. The model below walks the job the way GitHub runs it (a failed step skips every later
step unless that step asks for `always()`/`failure()` or the failing one may `continue-on-error`),
with a scanner stand-in that passes or fails per platform and `docker`/`cosign` replaced by a
recorder, and checks what would be published.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tags import tags_for

WORKFLOW = ".github/workflows/docker-publish.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32
REFS = ["refs/heads/main", "refs/tags/v1.2.3"]
TRIVY = "aquasecurity/trivy-action"
BUILD = "docker/build-push-action"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# A step whose `if:` names one of these runs after an earlier step failed.
STATUS_FUNCTIONS = ("always()", "failure()", "cancelled()")


@pytest.fixture
def workflow(github_pipeline: str, rendered_pipelines: dict[str, Path]) -> dict[str, Any]:
    text = (rendered_pipelines[github_pipeline] / WORKFLOW).read_text()
    data: dict[str, Any] = yaml.load(text, Loader=yaml.BaseLoader)  # `on` stays a string
    return data


def _repo(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0].lower()


def _platforms(data: dict[str, Any]) -> list[str]:
    builds = [s for s in data["jobs"]["publish"]["steps"] if _repo(s) == BUILD]
    assert len(builds) == 1, "the publish job builds once"
    return str(builds[0]["with"]["platforms"]).split(",")


@dataclass
class Release:
    """What a run of the publish job left in the registry and the signature log."""

    pushed: list[str] = field(default_factory=list)  # references pushed by the build step
    tags: dict[str, str] = field(default_factory=dict)  # tag -> the reference it copies
    signed: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)  # platforms the scanner looked at


def _expand(value: str, context: dict[str, str]) -> str:
    def known(match: re.Match[str]) -> str:
        assert match[1] in context, f"the model does not know the expression {match[0]}"
        return context[match[1]]

    return EXPRESSION.sub(known, value)


def _recorded(script: str, env: dict[str, str], log: Path) -> bool:
    """Run a `run:` script as GitHub's bash does, with docker, cosign and az recorded to LOG."""
    recorder = "\n".join(
        f'{name}() {{ printf \'%s\\037\' {name} "$@" >> "$LOG"; printf \'\\n\' >> "$LOG"; }}'
        for name in ("docker", "cosign", "az")
    )
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", f"{recorder}\n{script}"],
        env={"PATH": "/usr/bin:/bin", "LOG": str(log), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0


def _calls(log: Path) -> Iterable[list[str]]:
    if log.exists():
        for line in log.read_text().splitlines():
            yield line.split("\037")[:-1]


def run_publish(data: dict[str, Any], ref: str, failing: set[str], scratch: Path) -> Release:
    """Walk the publish job for REF; the scan of each platform in FAILING finds a vulnerability."""
    image = data["env"]["IMAGE"]
    tags = "\n".join(f"{image}:{tag}" for tag in tags_for(data, ref, SHA))
    context = {
        "env.IMAGE": image,
        "steps.push.outputs.digest": DIGEST,
        "steps.meta.outputs.tags": tags,
        "steps.meta.outputs.labels": "",
        "steps.meta.outputs.annotations": "",
        "steps.meta.outputs.version": "1.2.3",
        "github.sha": SHA,
        "github.server_url": "https://github.com",
        "github.repository": "acme/svc",
    }
    release = Release()
    log = scratch / "calls"
    log.unlink(missing_ok=True)
    failed = False
    for step in data["jobs"]["publish"]["steps"]:
        if failed and not any(f in step.get("if", "") for f in STATUS_FUNCTIONS):
            continue
        ok = True
        if _repo(step) in (TRIVY, BUILD):
            read = ("image-ref", "outputs", "tags", "push")  # what decides what is published
            given = {k: _expand(v, context) for k, v in step["with"].items() if k in read}
        if _repo(step) == TRIVY:
            platform = _expand(step.get("env", {}).get("TRIVY_PLATFORM", "linux/amd64"), context)
            assert given["image-ref"] == f"{image}@{DIGEST}", "the scan reads another image"
            release.scanned.append(platform)
            ok = platform not in failing
        elif _repo(step) == BUILD:
            outputs = given.get("outputs", "")
            if given.get("push") == "true" or "push=true" in outputs:
                by_digest = "push-by-digest=true" in outputs and not given.get("tags")
                names = [f"{image}@{DIGEST}"] if by_digest else given.get("tags", "").split()
                release.pushed += names
                release.tags.update({n: n for n in names if "@" not in n})
        elif "run" in step:
            env = {k: _expand(v, context) for k, v in step.get("env", {}).items()}
            ok = _recorded(step["run"], {"IMAGE": image, **env}, log)
        if not ok and step.get("continue-on-error") != "true":
            failed = True
    for call in _calls(log):
        if call[:2] == ["cosign", "sign"]:
            release.signed.append(call[-1])
        if call[:4] == ["docker", "buildx", "imagetools", "create"]:
            args = call[4:]
            assert "--prefer-index=false" in args, "the tags would name a new index, not the digest"
            named = [args[i + 1] for i, a in enumerate(args) if a == "--tag"]
            release.tags.update({tag: args[-1] for tag in named})
    return release


# --- the gate, run


@pytest.mark.parametrize("ref", REFS)
def test_a_passing_scan_publishes_exactly_the_metadata_tags_on_the_scanned_digest(
    github_pipeline: str, workflow: dict[str, Any], ref: str, tmp_path: Path
) -> None:
    image = workflow["env"]["IMAGE"]
    release = run_publish(workflow, ref, set(), tmp_path)
    expected = {f"{image}:{tag}": f"{image}@{DIGEST}" for tag in tags_for(workflow, ref, SHA)}
    assert release.pushed == [f"{image}@{DIGEST}"], "the build step pushed a tag"
    assert release.tags == expected
    scanned = "-scan-" in github_pipeline
    assert release.scanned == (_platforms(workflow) if scanned else [])
    assert release.signed == ([f"{image}@{DIGEST}"] if "-sign-" in github_pipeline else [])


@pytest.mark.parametrize("ref", REFS)
def test_a_failing_scan_of_any_platform_publishes_no_tag_and_no_signature(
    github_pipeline: str, workflow: dict[str, Any], ref: str, tmp_path: Path
) -> None:
    if "-scan-" not in github_pipeline:
        assert not any(_repo(s) == TRIVY for s in workflow["jobs"]["publish"]["steps"])
        return
    for platform in _platforms(workflow):
        release = run_publish(workflow, ref, {platform}, tmp_path)
        assert release.tags == {}, f"a failing {platform} scan left tags"
        assert release.signed == [], f"a failing {platform} scan still signed the image"


def test_the_model_sees_a_workflow_that_tags_before_the_scan(
    rendered_pipelines: dict[str, Path], tmp_path: Path
) -> None:
    """The old flow (push with every tag, then scan) publishes tags even when the scan fails,
    and a scan allowed to fail gates nothing: the model reports both."""
    path = rendered_pipelines["github-dockerhub-multi-attest-scan-sign-dtp"] / WORKFLOW
    data = yaml.load(path.read_text(), Loader=yaml.BaseLoader)
    steps = data["jobs"]["publish"]["steps"]
    build = next(s for s in steps if _repo(s) == BUILD)
    tagged_push = {**build["with"], "push": "true", "tags": "${{ steps.meta.outputs.tags }}"}
    tagged_push.pop("outputs", None)
    old = [{**s, "with": tagged_push} if s is build else s for s in steps]
    assert run_publish(_with_publish(data, old), "refs/heads/main", {"linux/arm64"}, tmp_path).tags
    lenient = [{**s, "continue-on-error": "true"} if _repo(s) == TRIVY else s for s in steps]
    assert run_publish(
        _with_publish(data, lenient), "refs/heads/main", {"linux/arm64"}, tmp_path
    ).tags


def _with_publish(data: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **data,
        "jobs": {**data["jobs"], "publish": {**data["jobs"]["publish"], "steps": steps}},
    }


# --- the order, read


def test_the_digest_is_pushed_untagged_scanned_per_platform_signed_then_tagged(
    github_pipeline: str, workflow: dict[str, Any]
) -> None:
    publish = workflow["jobs"]["publish"]
    steps = publish["steps"]
    repos = [_repo(s) for s in steps]
    pushed = repos.index(BUILD)
    push = steps[pushed]["with"]
    assert publish["outputs"]["digest"] == "${{ steps.push.outputs.digest }}"
    assert "tags" not in push and "push" not in push, "the build step must not push a tag"
    assert push["outputs"] == (
        "type=image,name=${{ env.IMAGE }},push-by-digest=true,name-canonical=true,push=true"
    )
    attest = "-attest-" in github_pipeline
    assert (push["provenance"], push.get("sbom")) == (
        ("mode=max", "true") if attest else ("false", None)
    )
    scans = [i for i, r in enumerate(repos) if r == TRIVY]
    assert [steps[i]["env"]["TRIVY_PLATFORM"] for i in scans] == (
        _platforms(workflow) if "-scan-" in github_pipeline else []
    )
    for index in scans:
        scan = steps[index]["with"]
        assert index > pushed
        assert scan["image-ref"] == "${{ env.IMAGE }}@${{ steps.push.outputs.digest }}"
        assert (scan["severity"], scan["exit-code"], scan["ignore-unfixed"]) == (
            "CRITICAL,HIGH",
            "1",
            "true",
        )
        assert "continue-on-error" not in steps[index], "a scan that may fail gates nothing"
    signs = [i for i, s in enumerate(steps) if "cosign sign" in s.get("run", "")]
    assert bool(signs) == ("-sign-" in github_pipeline)
    tagging = [i for i, s in enumerate(steps) if "imagetools create" in s.get("run", "")]
    assert len(tagging) == 1, "one step publishes the tags"
    tag_step = steps[tagging[0]]
    assert tag_step["env"] == {
        "DIGEST": "${{ steps.push.outputs.digest }}",
        "TAGS": "${{ steps.meta.outputs.tags }}",
    }
    # A signature vouches for an image that passed the scan; a tag names a signed, scanned image.
    for index in signs:
        assert steps[index]["env"]["DIGEST"] == "${{ steps.push.outputs.digest }}"
        assert max([pushed, *scans]) < index < tagging[0]
    assert tagging[0] > max([pushed, *scans, *signs])
    for step in steps[tagging[0] :]:
        assert not any(f in step.get("if", "") for f in STATUS_FUNCTIONS), step
    described = any(_repo(s) == "peter-evans/dockerhub-description" for s in steps)
    assert described == ("-dockerhub-" in github_pipeline)


# --- time and caches


def test_every_job_has_a_timeout_of_at_most_an_hour(
    github_pipeline: str, workflow: dict[str, Any]
) -> None:
    for name, job in workflow["jobs"].items():
        minutes = job.get("timeout-minutes")
        assert minutes is not None, f"job {name} runs up to GitHub's six-hour default"
        assert 10 <= int(minutes) <= 60, f"job {name}: timeout-minutes {minutes}"


def _scope(value: str) -> str:
    found = re.search(r"'type=gha,scope=([\w-]+)[,']", value)
    assert found, f"a gha cache without its own scope: {value}"
    return found[1]


def test_each_build_has_its_own_cache_scope_and_the_push_reads_the_production_one(
    github_pipeline: str, workflow: dict[str, Any]
) -> None:
    builds = [s["with"] for s in workflow["jobs"]["build"]["steps"] if _repo(s) == BUILD]
    scopes = []
    for given in builds:
        scope = _scope(given["cache-from"])
        assert _scope(given["cache-to"]) == scope, "a build writes a scope it does not read"
        scopes.append(scope)
    assert len(set(scopes)) == len(builds), f"builds share a cache scope: {scopes}"
    production = next(b for b in builds if "target" not in b)
    push = next(s["with"] for s in workflow["jobs"]["publish"]["steps"] if _repo(s) == BUILD)
    assert _scope(push["cache-from"]) == _scope(production["cache-from"])
    assert "cache-to" not in push
