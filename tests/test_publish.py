"""The publish job, read as data and run step by step: a tag appears only on a scanned digest.

The workflow pushes the image by digest (no tag), scans every platform of that digest, signs it,
and only then copies the digest to the metadata-action tags with `docker buildx imagetools
create`. The model (tests/publish.py) walks the job the way GitHub runs it, with a scanner
stand-in that passes or fails per platform and `docker`/`cosign` replaced by a recorder, and the
tests check what would be published. test_engine.py runs the same walk against a real registry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from publish import (
    BUILD,
    DIGEST,
    SHA,
    STATUS_FUNCTIONS,
    TRIVY,
    WORKFLOW,
    platforms,
    repo,
    run_publish,
)
from tags import tags_for

REFS = ["refs/heads/main", "refs/tags/v1.2.3"]


@pytest.fixture
def workflow(github_pipeline: str, rendered_pipelines: dict[str, Path]) -> dict[str, Any]:
    text = (rendered_pipelines[github_pipeline] / WORKFLOW).read_text()
    data: dict[str, Any] = yaml.load(text, Loader=yaml.BaseLoader)  # `on` stays a string
    return data


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
    assert release.scanned == (platforms(workflow) if scanned else [])
    assert release.signed == ([f"{image}@{DIGEST}"] if "-sign-" in github_pipeline else [])


@pytest.mark.parametrize("ref", REFS)
def test_a_failing_scan_of_any_platform_publishes_no_tag_and_no_signature(
    github_pipeline: str, workflow: dict[str, Any], ref: str, tmp_path: Path
) -> None:
    if "-scan-" not in github_pipeline:
        assert not any(repo(s) == TRIVY for s in workflow["jobs"]["publish"]["steps"])
        return
    for platform in platforms(workflow):
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
    build = next(s for s in steps if repo(s) == BUILD)
    tagged_push = {**build["with"], "push": "true", "tags": "${{ steps.meta.outputs.tags }}"}
    tagged_push.pop("outputs", None)
    old = [{**s, "with": tagged_push} if s is build else s for s in steps]
    assert run_publish(_with_publish(data, old), "refs/heads/main", {"linux/arm64"}, tmp_path).tags
    lenient = [{**s, "continue-on-error": "true"} if repo(s) == TRIVY else s for s in steps]
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
    repos = [repo(s) for s in steps]
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
        platforms(workflow) if "-scan-" in github_pipeline else []
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
    described = any(repo(s) == "peter-evans/dockerhub-description" for s in steps)
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
    builds = [s["with"] for s in workflow["jobs"]["build"]["steps"] if repo(s) == BUILD]
    scopes = []
    for given in builds:
        scope = _scope(given["cache-from"])
        assert _scope(given["cache-to"]) == scope, "a build writes a scope it does not read"
        scopes.append(scope)
    assert len(set(scopes)) == len(builds), f"builds share a cache scope: {scopes}"
    production = next(b for b in builds if "target" not in b)
    push = next(s["with"] for s in workflow["jobs"]["publish"]["steps"] if repo(s) == BUILD)
    assert _scope(push["cache-from"]) == _scope(production["cache-from"])
    assert "cache-to" not in push
