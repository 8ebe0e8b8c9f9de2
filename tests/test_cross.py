"""Multi-platform images compile on the build machine's platform, never under emulation.

A `linux/amd64,linux/arm64` build in CI runs every stage of the other platform under QEMU unless
the stage says `--platform=$BUILDPLATFORM`; a compiler there is 5-20x slower (the .NET SDK is not
supported under QEMU at all). Languages whose build output does not depend on the platform
(.NET's framework-dependent IL, a Java jar, a static site that nginx serves) or that
cross-compile (Go without cgo, Rust for glibc with Debian's cross gcc) build on the build
platform.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from generated import ENGINE_COMBOS, Service
from helpers import combinations, dockerfile_instructions, render


def _go_cross(answers: dict[str, Any]) -> bool:
    return bool(answers["serving"] != "debian")  # cgo needs the target's C library


def _java_cross(answers: dict[str, Any]) -> bool:
    return bool(answers["serving"] != "jlink")  # jlink's runtime is the target's own


def _always(answers: dict[str, Any]) -> bool:
    return True


def _rust_cross(answers: dict[str, Any]) -> bool:
    return bool(answers["serving"] == "debian")  # musl on rust:alpine is built on the target


def _nginx(answers: dict[str, Any]) -> bool:
    return bool(answers["serving"] == "nginx")  # a site's files are the same for every platform


# language -> the stages where compiling starts (the first of them the Dockerfile has), and
# whether an answer set cross-compiles.
CROSS: dict[str, tuple[tuple[str, ...], Callable[[dict[str, Any]], bool]]] = {
    "go": (("base",), _go_cross),
    "dotnet": (("base",), _always),
    "java": (("base",), _java_cross),
    "rust": (("base",), _rust_cross),
    "node": (("base",), _nginx),
    "static": (("base",), _nginx),
}
ELF_MACHINE = {b"\xb7\x00": "aarch64", b"\x3e\x00": "x86-64"}


@pytest.mark.parametrize("language", sorted(CROSS))
def test_compiling_stages_run_on_the_build_platform(language: str, tmp_path: Path) -> None:
    stages, cross = CROSS[language]
    for index, answers in enumerate(a for a in combinations() if a["language"] == language):
        text = (render(answers, tmp_path / str(index)) / "Dockerfile").read_text()
        froms = [args for name, args in dockerfile_instructions(text) if name == "FROM"]
        line = next(f for f in froms if f.endswith(tuple(f" AS {s}" for s in stages)))
        assert line.startswith("--platform=$BUILDPLATFORM ") == cross(answers), (answers, line)


def _stages_run_on_the_target(dockerfile: str) -> list[str]:
    """The stages of the prod target that run a step (RUN) on the target platform: under QEMU
    for any platform but the build machine's. A stage is on the build platform when its FROM says
    `--platform=$BUILDPLATFORM` or names a stage that is."""
    stages: dict[str, dict[str, Any]] = {}
    stage: dict[str, Any] = {}
    for name, args in dockerfile_instructions(dockerfile):
        if name == "FROM":
            found = re.match(r"(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$", args, re.I)
            assert found, args
            platform, base, alias = found.groups()
            stage = {"platform": platform, "base": base, "runs": False, "uses": {base}}
            stages[alias or f"#{len(stages)}"] = stage
        elif name == "RUN":
            stage["runs"] = True
            stage["uses"] |= set(re.findall(r"--mount=\S*from=([\w.-]+)", args))
        elif name in ("COPY", "ADD"):
            stage["uses"] |= set(re.findall(r"--from=(\S+)", args))

    def on_build_platform(name: str) -> bool:
        platform, base = stages[name]["platform"], stages[name]["base"]
        return platform == "$BUILDPLATFORM" or (base in stages and on_build_platform(base))

    needed, todo = set(), ["prod"]
    while todo:
        name = todo.pop()
        if name in stages and name not in needed:
            needed.add(name)
            todo += stages[name]["uses"]
    return sorted(n for n in needed if stages[n]["runs"] and not on_build_platform(n))


def test_qemu_is_set_up_only_where_a_second_platform_runs_a_step(tmp_path: Path) -> None:
    """A two-platform workflow sets up QEMU exactly when its Dockerfile's prod target runs a step
    on the target platform; a site nginx serves or a Go binary on scratch needs no emulator."""
    shapes: dict[tuple[Any, ...], dict[str, Any]] = {}
    for answers in [*combinations(), *combinations(include_app=False)]:
        key = tuple(answers.get(k) for k in ("language", "serving", "runtime_base", "include_app"))
        shapes.setdefault(key, answers)
    without = set()
    for index, shape in enumerate(shapes.values()):
        answers = {**shape, "ci": "github", "platforms": "linux/amd64,linux/arm64"}
        service = render(answers, tmp_path / str(index))
        emulated = _stages_run_on_the_target((service / "Dockerfile").read_text())
        workflow = (service / ".github/workflows/docker-publish.yml").read_text()
        assert ("docker/setup-qemu-action@" in workflow) == bool(emulated), (answers, emulated)
        if not emulated:
            without.add(f"{answers['language']}-{answers['serving']}")
    # The languages that cross-build all their stages (the test would pass with none).
    assert {"static-nginx", "node-nginx", "go-scratch", "dotnet-chiseled"} <= without, without


def _architecture(binary: bytes) -> str:
    assert binary[:4] == b"\x7fELF", "not an ELF binary"
    return ELF_MACHINE.get(binary[18:20], binary[18:20].hex())


# Engine services that cross-compile, and the stage holding the binary: Go's scratch image, and
# Rust's build stage (its production image runs `useradd` on the target platform).
BINARIES = {
    **{n: "prod" for n in ENGINE_COMBOS if n.startswith("go-scratch")},
    **{n: "build" for n, a in ENGINE_COMBOS.items() if a["language"] == "rust" and _rust_cross(a)},
}


def _copy_out(
    engine: Engine, service: Service, platform: str, *, stage: str, path: str, out: Path
) -> None:
    """Build STAGE of SERVICE for PLATFORM and copy PATH out of it to OUT."""
    tag = f"scaffold-e2e/cross-{service.name}:{platform.replace('/', '-')}"
    engine.run("build", "--platform", platform, "--target", stage, "--tag", tag, str(service.path))
    container = engine.run("create", "--platform", platform, tag, "/none").stdout.strip()
    try:
        engine.run("cp", f"{container}:{path}", str(out))
    finally:
        engine.run("rm", container, check=False)
        engine.run("rmi", tag, check=False)


def _built_binary(engine: Engine, service: Service, platform: str, out: Path) -> bytes:
    stage = BINARIES[service.name]
    dockerfile = (service.path / "Dockerfile").read_text()
    (source, target) = re.findall(r"^COPY --from=build (/out/\S+) (\S+)$", dockerfile, re.M)[0]
    path = target if stage == "prod" else source
    _copy_out(engine, service, platform, stage=stage, path=path, out=out)
    return out.read_bytes()


@pytest.mark.engine
@pytest.mark.parametrize("name", sorted(BINARIES))
def test_an_arm64_image_is_cross_compiled_without_emulation(
    name: str, engine: Engine, services: dict[str, Service], tmp_path: Path, say: Any
) -> None:
    """Where the engine has no emulator for arm64 (no binfmt handler, as on this suite's engine),
    the build itself proves that nothing runs on the target platform; the binary is the target's."""
    service = services[name]
    binary = _built_binary(engine, service, "linux/arm64", tmp_path / "arm64")
    assert _architecture(binary) == "aarch64"
    assert _architecture(_built_binary(engine, service, "linux/amd64", tmp_path / "amd64")) == (
        "x86-64"
    )
    emulated = any(Path("/proc/sys/fs/binfmt_misc").glob("*aarch64*"))
    how = "an arm64 emulator is registered" if emulated else "no arm64 emulator here"
    say(f"{name}: linux/arm64 {BINARIES[name]} stage built ({how}); its binary is an aarch64 ELF")


SITES = sorted(
    n for n, a in ENGINE_COMBOS.items() if a["serving"] == "nginx" and not a["dev_test_prod"]
)


@pytest.mark.engine
@pytest.mark.parametrize("name", SITES)
def test_a_static_site_is_built_once_for_every_platform(
    name: str, engine: Engine, services: dict[str, Service], tmp_path: Path, say: Any
) -> None:
    """A static site's build stages run on the build machine: its arm64 build needs no emulator
    and gives the very files of the native build, which nginx serves on either platform."""
    service = services[name]
    dockerfile = (service.path / "Dockerfile").read_text()
    (folder,) = re.findall(
        r"^COPY --from=build (/app/\S+) /usr/share/nginx/html$", dockerfile, re.M
    )
    sites = {}
    for platform in ("linux/arm64", "linux/amd64"):
        out = tmp_path / platform.replace("/", "-")
        _copy_out(engine, service, platform, stage="build", path=folder, out=out)
        sites[platform] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert sites["linux/arm64"], f"the build stage has no {folder}"
    assert sites["linux/arm64"] == sites["linux/amd64"]
    files = len(sites["linux/arm64"])
    say(f"{name}: {folder} built for linux/arm64 with no emulator; the same {files} files as amd64")
