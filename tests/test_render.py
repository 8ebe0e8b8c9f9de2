"""Every combination of the choice questions: real linters judge the output, and the parts of
the Dockerfile a reviewer checks first are checked as parsed data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from helpers import dockerfile_instructions, dockerignore_patterns, excluded, hadolint_findings

# Files that describe how the image is built or shipped; they never need to be inside it.
OUTSIDE_THE_IMAGE = {
    "Dockerfile",
    ".dockerignore",
    "compose.yaml",
    ".copier-answers.yml",
    ".gitignore",
    "README.md",
}


def test_hadolint_has_zero_findings(combo: str, combo_dir: Path) -> None:
    findings = hadolint_findings(combo_dir)
    assert not findings, f"hadolint on {combo}:\n{findings}"


def test_inline_lint_ignores_carry_a_reason(combo_dir: Path) -> None:
    lines = (combo_dir / "Dockerfile").read_text().splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            above = lines[number - 1] if number else ""
            assert above.startswith("# ") and "hadolint" not in above, (
                f"`{line}` needs a comment line above it that says why"
            )


def _copied_sources(dockerfile: str) -> list[str]:
    """Build-context paths the Dockerfile reads: COPY/ADD sources and RUN bind mounts."""
    sources = []
    for instruction, args in dockerfile_instructions(dockerfile):
        words = args.split()
        if instruction in {"COPY", "ADD"} and not any(w.startswith("--from=") for w in words):
            paths = [w for w in words if not w.startswith("--")]
            sources += paths[:-1]
        if instruction == "RUN":
            for mount in re.findall(r"--mount=(\S+)", args):
                fields = dict(f.split("=", 1) for f in mount.split(",") if "=" in f)
                if fields.get("type") == "bind" and "from" not in fields:
                    sources.append(fields["source"])
    return sources


def test_dockerignore_never_excludes_what_the_dockerfile_copies(combo_dir: Path) -> None:
    patterns = dockerignore_patterns((combo_dir / ".dockerignore").read_text())
    generated = [str(p.relative_to(combo_dir)) for p in combo_dir.rglob("*") if p.is_file()]
    lockfile_names = {"uv.lock", "poetry.lock", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"}
    for copied in _copied_sources((combo_dir / "Dockerfile").read_text()):
        source = copied.rstrip("/")
        if source == ".":
            needed = [
                f for f in generated if f not in OUTSIDE_THE_IMAGE and not f.startswith(".github/")
            ]
        else:
            needed = [f for f in generated if f == source or f.startswith(source + "/")]
            # The lock step writes these: a lockfile, or requirements*.txt compiled from the .in.
            compiled = source.endswith(".txt") and source.removesuffix(".txt") + ".in" in generated
            assert needed or source in lockfile_names or compiled, (
                f"COPY names {source}, which is not generated"
            )
            needed = needed or [source]
        for path in needed:
            assert not excluded(patterns, path), (
                f".dockerignore excludes {path}, copied by COPY {source}"
            )


def test_dockerignore_keeps_secrets_and_vcs_out(combo_dir: Path) -> None:
    patterns = dockerignore_patterns((combo_dir / ".dockerignore").read_text())
    planted = [
        *(".git/config", ".env", "config/.env.local", "deploy/server.key", "node_modules/x"),
        *(".npmrc", "web/.npmrc", ".yarnrc", ".pypirc", "pip.conf", ".netrc", "certs/tls.p12"),
        *(".aws/credentials", ".azure/config", ".config/gcloud/credentials.db"),
        *(".docker/config.json", ".kube/config", ".ssh/id_ed25519", "id_rsa", "deploy/id_ed25519"),
        *(".copier-answers.yml", ".github/workflows/docker-publish.yml", ".gitlab-ci.yml"),
    ]
    for path in planted:
        if path.startswith("node_modules") and not (combo_dir / "package.json").exists():
            continue
        assert excluded(patterns, path), f"{path} would reach the build context"


def test_dockerfile_shape(combo: str, combo_dir: Path) -> None:
    instructions = dockerfile_instructions((combo_dir / "Dockerfile").read_text())
    froms = [
        [w for w in args.split() if not w.startswith("--platform=")]
        for instruction, args in instructions
        if instruction == "FROM"
    ]
    stages = [words[-1] for words in froms]
    assert all(len(words) == 3 and words[1].upper() == "AS" for words in froms), "unnamed stage"
    assert stages[-1] == "prod", "production must be the last stage, so `docker build .` gives it"
    if "-dtp-" in combo:
        assert {"dev", "test"} <= set(stages)
    else:
        assert not {"dev", "test"} & set(stages)
    for words in froms:
        image = words[0]
        assert ":latest" not in image and (":" in image or image in {*stages, "scratch"}), words
        # Dependabot reads base images from FROM lines as written: no ARG may stand in for them.
        assert "$" not in image, f"FROM {image}: Dependabot cannot update a variable image"
    prod = instructions[max(i for i, (ins, _) in enumerate(instructions) if ins == "FROM") :]
    users = [args for ins, args in prod if ins == "USER"]
    assert users and re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", users[-1]), "prod must end non-root"
    cmds = [args for ins, args in prod if ins in {"CMD", "ENTRYPOINT"}]
    assert cmds and cmds[-1].startswith("["), "exec-form CMD so signals reach the app"


def test_dockerfile_reads_cleanly(combo_dir: Path) -> None:
    text = (combo_dir / "Dockerfile").read_text()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n\n" not in text, "more than two blank lines"
    assert not re.search(r"[ \t]+$", text, re.MULTILINE), "trailing whitespace"


def test_compose_runs_dev_and_prod(combo: str, combo_dir: Path) -> None:
    compose = yaml.safe_load((combo_dir / "compose.yaml").read_text())
    targets = {name: svc["build"]["target"] for name, svc in compose["services"].items()}
    assert "prod" in targets.values()
    if "-dtp-" in combo:
        dev = next(svc for svc in compose["services"].values() if svc["build"]["target"] == "dev")
        assert dev["develop"]["watch"], "the dev service syncs source changes"
    prod = next(svc for svc in compose["services"].values() if svc["build"]["target"] == "prod")
    assert prod["read_only"] is True and prod["cap_drop"] == ["ALL"]


def test_node_served_by_nginx_is_the_static_site(
    rendered: dict[str, tuple[dict[str, Any], Path]],
) -> None:
    """`language: node, serving: nginx` predates `language: static`; both give the same image."""
    pairs = [
        (key, key.replace("node-nginx-", "static-nginx-", 1))
        for key in rendered
        if key.startswith("node-nginx-")
    ]
    assert pairs
    for legacy, static in pairs:
        for name in ("Dockerfile", ".dockerignore", "nginx.conf", "build.mjs"):
            assert (rendered[legacy][1] / name).read_text() == (
                rendered[static][1] / name
            ).read_text(), f"{legacy} and {static} differ in {name}"


def _prod_stage(dockerfile: str) -> list[tuple[str, str]]:
    instructions = dockerfile_instructions(dockerfile)
    start = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    return instructions[start:]


def test_a_new_revision_rebuilds_no_step_of_the_production_stage(combo_dir: Path) -> None:
    """CI passes REVISION (the commit) on every build: a RUN after `ARG REVISION` would miss the
    cache on every commit, so the labels come after the last RUN of the production stage."""
    prod = _prod_stage((combo_dir / "Dockerfile").read_text())
    names = [name for name, _ in prod]
    revision = next(
        i for i, (name, args) in enumerate(prod) if name == "ARG" and "REVISION" in args
    )
    assert "RUN" not in names[revision:], f"RUN after ARG REVISION: {prod[revision:]}"


def test_every_compiled_binary_image_has_ca_certificates(
    rendered: dict[str, tuple[dict[str, Any], Path]],
) -> None:
    """A Go or Rust program calling out over TLS with the system roots needs the CA bundle,
    which scratch and debian-slim images lack unless it is copied in."""
    checked = 0
    for answers, folder in rendered.values():
        if answers["language"] not in {"go", "rust"} or answers["serving"] == "distroless":
            continue  # distroless/static carries the bundle itself
        prod = _prod_stage((folder / "Dockerfile").read_text())
        copies = [args for name, args in prod if name == "COPY"]
        assert any(a.endswith("/etc/ssl/certs/ca-certificates.crt") for a in copies), copies
        checked += 1
    assert checked >= 4


def _stages(dockerfile: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each named stage: the image or stage it starts from, and its instructions."""
    stages: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    current: list[tuple[str, str]] = []
    for name, args in dockerfile_instructions(dockerfile):
        if name == "FROM":
            words = [w for w in args.split() if not w.startswith("--platform=")]
            current = []
            stages[words[-1]] = (words[0], current)
        else:
            current.append((name, args))
    return stages


def test_tini_comes_as_one_file_from_a_cached_stage_on_an_image_already_pulled(
    rendered: dict[str, tuple[dict[str, Any], Path]],
) -> None:
    """Node.js servers and Python workers run under tini. Installing it with apt in a stage the
    service runs in adds apt's and dpkg's records to the image (1-2 MB) and needs the Debian
    archive at every build; the static binary comes from the `tini` stage instead, which starts
    from the image the base stage does (nothing more to pull) and reads nothing from the build
    context (so it stays cached)."""
    checked = 0
    for answers, folder in rendered.values():
        if answers["language"] not in {"node", "python"}:
            continue
        stages = _stages((folder / "Dockerfile").read_text())
        chain, stage = [], "prod"
        while stage in stages:
            chain.append(stage)
            stage = stages[stage][0]
        ran = [args for s in chain for name, args in stages[s][1] if name == "RUN"]
        assert not any("apt-get" in args for args in ran), f"apt in a runtime stage: {chain}"
        entrypoints = [args for s in chain for name, args in stages[s][1] if name == "ENTRYPOINT"]
        if entrypoints != ['["tini", "--"]']:
            assert "tini" not in stages, "a tini stage no runtime stage uses"
            continue
        copies = [args for s in chain for name, args in stages[s][1] if name == "COPY"]
        assert "--from=tini /usr/bin/tini /usr/bin/tini" in copies, copies
        image, steps = stages["tini"]
        assert image == stages["base"][0], f"the tini stage pulls {image}, base another image"
        assert [name for name, _ in steps] == ["RUN"] and "--mount" not in steps[0][1], steps
        checked += 1
    assert checked >= 8
