"""The generated publish job, walked step by step the way GitHub runs it.

A failed step skips every later step unless that step asks for `always()`/`failure()`, or the
failing one may `continue-on-error`. The scanner is a stand-in that passes or fails per platform.
By default the build step's push and every `docker`, `cosign` and `az` call of the `run:` steps are
only recorded (tests/test_publish.py); a `Stage` with a registry pushes the built image by digest
and runs the steps' `docker` commands for real against it (the registry test in test_engine.py).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tags import tags_for

WORKFLOW = ".github/workflows/docker-publish.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "ab" * 32
TRIVY = "aquasecurity/trivy-action"
BUILD = "docker/build-push-action"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# A step whose `if:` names one of these runs after an earlier step failed.
STATUS_FUNCTIONS = ("always()", "failure()", "cancelled()")
RECORDED = ("docker", "cosign", "az")


def repo(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0].lower()


def platforms(data: dict[str, Any]) -> list[str]:
    builds = [s for s in data["jobs"]["publish"]["steps"] if repo(s) == BUILD]
    assert len(builds) == 1, "the publish job builds once"
    return str(builds[0]["with"]["platforms"]).split(",")


@dataclass
class Release:
    """What a run of the publish job left in the registry and the signature log."""

    pushed: list[str] = field(default_factory=list)  # references pushed by the build step
    tags: dict[str, str] = field(default_factory=dict)  # tag -> the reference it copies
    signed: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)  # platforms the scanner looked at


def _nothing(reference: str) -> None:
    return None


@dataclass
class Stage:
    """What the job's actions touch. The default records; a real stage pushes the image by digest
    (`push`, given the repository, returns the digest the registry answered), lets the scanner
    stand-in read the pushed reference (`scan`), and runs `docker` with `docker_env`."""

    push: Callable[[str], str] | None = None
    scan: Callable[[str], None] = _nothing
    docker_env: dict[str, str] | None = None


def _expand(value: str, context: dict[str, str]) -> str:
    def known(match: re.Match[str]) -> str:
        assert match[1] in context, f"the model does not know the expression {match[0]}"
        return context[match[1]]

    return EXPRESSION.sub(known, value)


def _run(script: str, env: dict[str, str], log: Path, docker_env: dict[str, str] | None) -> bool:
    """Run a `run:` script as GitHub's bash does; the commands not run for real are logged."""
    recorded = [n for n in RECORDED if not (docker_env is not None and n == "docker")]
    recorder = "\n".join(
        f'{name}() {{ printf \'%s\\037\' {name} "$@" >> "$LOG"; printf \'\\n\' >> "$LOG"; }}'
        for name in recorded
    )
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", f"{recorder}\n{script}"],
        env={"PATH": "/usr/bin:/bin", "LOG": str(log), **(docker_env or {}), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert docker_env is None or result.returncode == 0, result.stderr[-2000:]
    return result.returncode == 0


def _calls(log: Path) -> Iterable[list[str]]:
    if log.exists():
        for line in log.read_text().splitlines():
            yield line.split("\037")[:-1]


def run_publish(
    data: dict[str, Any], ref: str, failing: set[str], scratch: Path, stage: Stage | None = None
) -> Release:
    """Walk the publish job for REF; the scan of each platform in FAILING finds a vulnerability."""
    stage = stage or Stage()
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
        if repo(step) in (TRIVY, BUILD):
            read = ("image-ref", "outputs", "tags", "push")  # what decides what is published
            given = {k: _expand(v, context) for k, v in step["with"].items() if k in read}
        if repo(step) == TRIVY:
            platform = _expand(step.get("env", {}).get("TRIVY_PLATFORM", "linux/amd64"), context)
            digest = context["steps.push.outputs.digest"]
            assert given["image-ref"] == f"{image}@{digest}", "the scan reads another image"
            stage.scan(given["image-ref"])
            release.scanned.append(platform)
            ok = platform not in failing
        elif repo(step) == BUILD:
            outputs = given.get("outputs", "")
            if given.get("push") == "true" or "push=true" in outputs:
                by_digest = "push-by-digest=true" in outputs and not given.get("tags")
                if by_digest and stage.push is not None:
                    context["steps.push.outputs.digest"] = stage.push(image)
                digest = context["steps.push.outputs.digest"]
                names = [f"{image}@{digest}"] if by_digest else given.get("tags", "").split()
                release.pushed += names
                release.tags.update({n: n for n in names if "@" not in n})
        elif "run" in step:
            env = {k: _expand(v, context) for k, v in step.get("env", {}).items()}
            ok = _run(step["run"], {"IMAGE": image, **env}, log, stage.docker_env)
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
