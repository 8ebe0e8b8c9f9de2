"""The image tags docker/metadata-action gives for a git ref, computed from a workflow's own rules.

The generated workflow lists its tag rules in the metadata step (`tags:` and `flavor:`). This
module reads those rules from the rendered file and applies them the way the action documents,
so the registry test can push exactly the tags a release or a default-branch push would get.
Rules of a kind the workflow does not use are refused, so a template change that adds one fails
loudly instead of being ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# semver 2.0.0, as the action parses a tag (a leading v is dropped).
_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)


def metadata_rules(workflow: Mapping[str, Any]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The tag rules and the flavor of the workflow's docker/metadata-action step."""
    steps = [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("docker/metadata-action@")
    ]
    assert len(steps) == 1, "the workflow has one metadata step"
    given = steps[0]["with"]
    rules = [_fields(line) for line in given["tags"].splitlines() if line.strip()]
    flavor = _fields(given.get("flavor", ""))
    return rules, flavor


def _fields(line: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in line.strip().split(",") if part)


def tags_for(
    workflow: Mapping[str, Any], ref: str, sha: str, default_branch: str = "main"
) -> list[str]:
    """The tags (without the image name) the workflow's metadata step gives REF at commit SHA."""
    rules, flavor = metadata_rules(workflow)
    if flavor != {"latest": "false"}:
        raise ValueError(f"flavor {flavor} is not modelled here; only latest=false is")
    branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
    tag = ref.removeprefix("refs/tags/") if ref.startswith("refs/tags/") else None
    result: list[str] = []
    for rule in rules:
        kind = rule.pop("type")
        enable = rule.pop("enable", "true")
        if enable == "{{is_default_branch}}":
            enabled = branch == default_branch
        elif enable == "true":
            enabled = True
        else:
            raise ValueError(f"enable={enable} is not modelled here")
        if not enabled:
            continue
        if kind == "semver" and set(rule) == {"pattern"}:
            result += _semver(rule["pattern"], tag or "")
        elif kind == "ref" and rule == {"event": "branch"}:
            if branch is not None:
                result.append(re.sub(r"[^a-zA-Z0-9._-]+", "-", branch))
        elif kind == "sha" and not rule:
            result.append(f"sha-{sha[:7]}")
        elif kind == "raw" and set(rule) == {"value"}:
            result.append(rule["value"])
        else:
            raise ValueError(f"tag rule type={kind} {rule} is not modelled here")
    return list(dict.fromkeys(result))


def _semver(pattern: str, tag: str) -> list[str]:
    """PATTERN filled from TAG; nothing when TAG is not semver, or is a pre-release and PATTERN
    is not its full version."""
    match = _SEMVER.match(tag)
    if match is None or (match["pre"] and pattern != "{{version}}"):
        return []
    return [
        pattern.replace("{{version}}", tag.removeprefix("v"))
        .replace("{{major}}", match["major"])
        .replace("{{minor}}", match["minor"])
        .replace("{{patch}}", match["patch"])
    ]
