"""`scaffold init` on public projects nobody here wrote: does each build, serve and stop?

    python bench/projects.py SOURCES [--before COMMAND] [--only NAME]

SOURCES holds clones of the repositories bench/projects.toml lists, as SOURCES/<owner>/<name>
(`git clone https://github.com/<owner>/<name> SOURCES/<owner>/<name>`; a bare clone will do).
Each project is taken at the pinned commit, committed to a fresh repository with credentials
planted in its working tree (as on a developer's machine), and initialised with `scaffold init
--defaults` plus only the answers the manifest lists. Then, on the test suite's engine and
stand-in bases: the test target (when there is one) and the production image are built, the
image runs read-only with no capabilities, the manifest's route must answer, every process must
run as the answered uid, `docker stop` must take under 2 s, and no planted credential or .git
may be in the image. The first step that fails is the project's result.

--before COMMAND runs the same with another scaffold (say an older release installed in a
virtualenv of its own: `--before ../old/bin/scaffold`) for the table's "before" column.
The table goes to BENCHMARKS.md; rows not run (--only) keep what it had.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from cli import write_section  # noqa: E402
from test_engine import (  # noqa: E402
    PLANTED,
    _get,
    _image_files,
    _run_hardened,
    writable_folders,
)

from engine import Engine, connect  # noqa: E402
from generated import SECRET  # noqa: E402
from helpers import scaffold_env  # noqa: E402
from kit import VERSIONS, Kit, base_images, recipe_for  # noqa: E402

STOP_LIMIT = 2.0


class Failed(Exception):
    """A step failed: the message is the table's cell."""


# Lines that say a step failed without saying why.
NOISE = ("failed to solve", "A complete log", "did not complete successfully")


def last_error(output: str) -> str:
    """The line of a tool's output that says what went wrong, shortened for a table cell."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    missing = re.findall(r'"(/[^"]*)": not found', output)
    if missing:
        return f"COPY of {missing[-1]}: not found"
    picked = next(
        (
            line
            for line in reversed(lines)
            if "error" in line.lower() and not any(noise in line for noise in NOISE)
        ),
        lines[-1] if lines else "no output",
    )
    return re.sub(r"^(#\d+ )?[\d.]+ +", "", picked).replace("|", "/")[:160]


@dataclass
class Bench:
    """What each attempt needs: the scaffold command, the engine, its stand-ins, the clones."""

    scaffold: list[str]
    engine: Engine
    kit: Kit
    sources: Path


def prepare(project: dict[str, Any], bench: Bench, folder: Path) -> Path:
    """The project's files at its commit, as a repository of their own, with credentials planted."""
    clone = bench.sources / project["repo"]
    tree = project["commit"] + (f":{project['path']}" if "path" in project else "")
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(clone), "archive", "--format=tar", tree], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    for old, new in project.get("rename", {}).items():
        (folder / old).rename(folder / new)
    if project.get("npm_lock"):
        # As its user's first `npm install` made it then: the npm of the image that installs it,
        # versions published before the commit (later ones may name packages not served here).
        date = subprocess.run(
            ["git", "-C", str(clone), "show", "-s", "--format=%cI", project["commit"]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        node = bench.kit.provide("node:24-slim")
        npm = [
            *("run", "--rm", "--volume", f"{folder}:/project", "--workdir", "/project", node),
            *("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit"),
        ]
        # A `latest` tag cannot be resolved --before a date: then as of today.
        if bench.engine.run(*npm, "--before", date, check=False).returncode != 0:
            bench.engine.run(*npm)
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True)
    subprocess.run([*git, "add", "--all"], check=True)
    subprocess.run(
        [*git, "commit", "--quiet", "--no-verify", "-m", "the team's project"], check=True
    )
    for planted in PLANTED:
        path = folder / project.get("service", ".") / planted
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SECRET + "\n")
    return folder / project.get("service", ".")


def build_context(service: Path) -> Path:
    """The folder the generated compose file builds from (the service folder by default)."""
    compose = service / "compose.yaml"
    if compose.exists():
        for spec in (yaml.safe_load(compose.read_text()) or {}).get("services", {}).values():
            build = spec.get("build") if isinstance(spec, dict) else None
            if isinstance(build, dict) and "context" in build:
                return (service / build["context"]).resolve()
    return service


def stand_in_differs(engine: Engine, images: set[str]) -> str:
    """Where a stand-in runs another version than its tag names (python:3.10-slim is Python 3.14
    here): a note for a failed build's cell, since the real image might have built."""
    notes = []
    for image in sorted(images):
        command = next((c for i, c in VERSIONS.items() if recipe_for(i) == recipe_for(image)), "")
        named = image.split(":", 1)[1].split("-", 1)[0] if ":" in image else ""
        if not command or not named:
            continue
        shown = engine.run("run", "--rm", "--entrypoint", "sh", image, "-c", command, check=False)
        real = " ".join(shown.stdout.split())
        if real and named not in real:
            notes.append(f"{image} is {real} here")
    return f" (stand-in: {'; '.join(notes)})" if notes else ""


def initialise(name: str, project: dict[str, Any], bench: Bench, work: Path) -> tuple[Path, str]:
    """The prepared project, initialised by BENCH's scaffold: the service folder, and a note of
    what the error messages made us do, as a user would (`--force` over the project's own files,
    dropping an answer the release does not ask)."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    service = prepare(project, bench, work / name)
    data = list(project.get("data", []))
    # A Python 3.14 as a developer's machine has (or uv fetches) for init's lock step.
    env = {**scaffold_env(home), **bench.kit.python_on_path(work / "bin")}
    force, notes = False, []
    for _ in range(3):
        command = [*bench.scaffold, "init", str(service), "--defaults"]
        command += [arg for pair in data for arg in ("--data", pair)] + ["--force"] * force
        init = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=False
        )
        conflict = re.search(r"already exist with other content \(([^)]*)\)", init.stderr)
        moot = re.search(r"error: (\w+) does not apply", init.stderr)
        if conflict and not force:
            force = True
            notes.append(f"--force over its own {conflict.group(1)}")
        elif moot:
            data = [pair for pair in data if not pair.startswith(moot.group(1) + "=")]
            notes.append(f"no {moot.group(1)} question")
        else:
            break
    note = f" ({'; '.join(notes)})" if notes else ""
    if init.returncode != 0:
        raise Failed(f"init: {last_error(init.stderr + init.stdout)}")
    return service, note


_BASE_FILES: dict[str, frozenset[str]] = {}


def base_files(engine: Engine, image: str) -> frozenset[str]:
    """The paths in a base image's filesystem (read once per run)."""
    if image not in _BASE_FILES:
        _BASE_FILES[image] = frozenset(_image_files(engine, image, under="-")[0])
    return _BASE_FILES[image]


def attempt(name: str, project: dict[str, Any], bench: Bench, work: Path) -> str:
    """Initialise, build, run and stop one project; the table's cell."""
    service, note = initialise(name, project, bench, work)
    engine, kit = bench.engine, bench.kit
    answers = yaml.safe_load((service / ".copier-answers.yml").read_text())
    dockerfile = service / "Dockerfile"
    images = base_images(dockerfile.read_text())
    for image in sorted(images):
        try:
            kit.provide(image)
        except AssertionError:
            raise Failed(f"no stand-in base image for {image} here") from None
    context = build_context(service)
    build = ["build", "--file", str(dockerfile)]
    if answers.get("dev_test_prod"):
        result = engine.run(*build, "--target", "test", str(context), check=False, timeout=1800)
        if result.returncode != 0:
            differs = stand_in_differs(engine, images)
            raise Failed(f"test target: {last_error(result.stderr)}{differs}")
    tag = f"scaffold-bench/project-{name}:prod"
    result = engine.run(*build, "--tag", tag, str(context), check=False, timeout=1800)
    if result.returncode != 0:
        raise Failed(f"build: {last_error(result.stderr)}{stand_in_differs(engine, images)}")
    container = f"scaffold-bench-project-{name}"
    env = [arg for pair in project.get("env", []) for arg in ("--env", pair)]
    # A volume for each folder the service writes, as the generated README says to.
    env += [arg for path in writable_folders(answers) for arg in ("--volume", path)]
    try:
        host_port = _run_hardened(engine, tag, container, answers["port"], *env)
        try:
            body = _get(f"http://127.0.0.1:{host_port}{project['route']}", time.monotonic() + 40)
        except (OSError, AssertionError) as error:
            logs = engine.run("logs", container, check=False)
            raise Failed(f"serve: {last_error(logs.stdout + logs.stderr) or error}") from None
        if project.get("expect", "") not in body.decode(errors="replace"):
            raise Failed(f"serve: {project['route']} answered without {project['expect']!r}")
        top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
        if not top or any(line.split()[0] != str(answers["uid"]) for line in top):
            raise Failed(
                f"runs as {sorted({line.split()[0] for line in top})}, not {answers['uid']}"
            )
        members, _ = _image_files(engine, tag, under="-")
        # What the base images hold is not the project's (npm 6 ships a .env inside psl).
        for image in images:
            members = {n: m for n, m in members.items() if n not in base_files(engine, image)}
        shipped = [
            n for n in members if n.split("/")[-1] == ".git" or any(n.endswith(p) for p in PLANTED)
        ]
        if shipped:
            raise Failed(f"secrets in the image: {', '.join(sorted(shipped)[:3])}")
        stopping = time.monotonic()
        engine.run("stop", container)
        took = time.monotonic() - stopping
        if took >= STOP_LIMIT:
            raise Failed(f"docker stop took {took:.1f} s")
        return f"serves, stops in {took:.1f} s{note}"
    finally:
        engine.run("rm", "--force", "--volumes", container, check=False)
        engine.run("rmi", "--force", tag, check=False)


def run_all(projects: dict[str, dict[str, Any]], bench: Bench) -> dict[str, str]:
    cells = {}
    for name, project in projects.items():
        with tempfile.TemporaryDirectory() as scratch:
            try:
                cells[name] = attempt(name, project, bench, Path(scratch))
            except Failed as failure:
                cells[name] = str(failure)
            except AssertionError as error:  # a docker command that should not fail
                cells[name] = f"error: {last_error(str(error))}"
            except subprocess.TimeoutExpired as error:
                cells[name] = f"timed out: {' '.join(map(str, error.cmd))[:80]}"
        print(f"{name}: {cells[name]}", flush=True)
    return cells


def version_of(command: list[str]) -> str:
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or " ".join(command)


def recorded() -> tuple[str, dict[str, list[str]]]:
    """The table BENCHMARKS.md has: whose the 'before' column is, and each project's cells after
    its description ([before, now], or [now])."""
    path = BENCH.parent / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else ""
    label = re.search(r"before: (scaffold [\w.]+)", text)
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\| \[([\w.-]+)\]\(", line)
        if match:
            rows[match.group(1)] = [c.strip() for c in line.strip().strip("|").split(" | ")][2:]
    return (label.group(1) if label else ""), rows


def table(
    manifest: dict[str, dict[str, Any]], label: str, before: dict[str, str], after: dict[str, str]
) -> str:
    """BENCHMARKS.md's section: a row per project of the manifest."""
    lines = [
        "| project | what makes it awkward | " + ("before | " if before else "") + "now |",
        "| --- | --- | " + ("--- | " if before else "") + "--- |",
    ]
    for name, project in manifest.items():
        link = f"[{name}](https://github.com/{project['repo']}/tree/{project['commit'][:12]})"
        cells = [before.get(name, "not run")] if before else []
        cells.append(after.get(name, "not run"))
        lines.append("| " + " | ".join([link, project["why"], *cells]) + " |")
    served = sum(after.get(name, "").startswith("serves") for name in manifest)
    served_before = sum(before.get(name, "").startswith("serves") for name in manifest)
    # A build whose stand-in runs another version than its tag names says nothing of the project.
    buildable = [n for n in manifest if "(stand-in:" not in after.get(n, "")]
    version = version_of([sys.executable, "-m", "scaffold"])
    return "\n".join(
        [
            "## scaffold init on public projects (`bench/projects.py`)",
            "",
            "Each project at a pinned commit (bench/projects.toml), `scaffold init --defaults` "
            "plus only a port or health route, then built (test target and prod) on the suite's "
            "engine and stand-in bases, run read-only with no capabilities, its route requested, "
            "its processes' uid checked, stopped (limit 2 s), and its image searched for the "
            "credentials planted in the checkout and for .git. A cell names the first step that "
            f"failed. Now: {version}" + (f"; before: {label}." if before else "."),
            "",
            *lines,
            "",
            f"- Serve, run as the uid, stop in under 2 s, ship no secret: {served}/{len(manifest)}"
            + (f" (before: {served_before}/{len(manifest)})" if before else ""),
            f"- Of the {len(buildable)} this machine can build (every stand-in the version its "
            f"tag names): {sum(after.get(n, '').startswith('serves') for n in buildable)}"
            f"/{len(buildable)}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sources", type=Path, help="folder of clones, SOURCES/<owner>/<name>")
    parser.add_argument("--before", help="another scaffold command, for the 'before' column")
    parser.add_argument("--only", default="", help="projects whose name contains this")
    args = parser.parse_args()
    manifest = tomllib.loads((BENCH / "projects.toml").read_text())
    projects = {n: p for n, p in manifest.items() if args.only in n}
    # Rows not run now keep what the table has.
    label, rows = recorded()
    before = {n: cells[0] for n, cells in rows.items() if len(cells) == 2}
    after = {n: cells[-1] for n, cells in rows.items()}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        engine = connect(work / "docker-config", work / "dockerd.log")
        kit = Kit(engine, print)
        try:
            if args.before:
                label = version_of(args.before.split())
                bench = Bench(args.before.split(), engine, kit, args.sources)
                before.update(run_all(projects, bench))
            now = Bench([sys.executable, "-m", "scaffold"], engine, kit, args.sources)
            after.update(run_all(projects, now))
        finally:
            engine.stop()
    body = table(manifest, label, before, after)
    print(body)
    write_section("projects", body)


if __name__ == "__main__":
    main()
