"""The error catalogue: every way scaffold refuses, with its exit code and its one-line message.

Each case sets up the situation, runs the real CLI and checks: the exit code, exactly one line on
stderr (no traceback) that says what was wrong and what to do, and that nothing was written. A
last test reads every `raise` in scaffold/ and checks that its message is one this catalogue
exercises, so a new error path cannot ship untested.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from helpers import REPO, assert_nothing_written, assert_one_line_error, git_save, run_scaffold

Setup = Callable[[Path], list[str | Path]]


@dataclass(frozen=True)
class Case:
    """One error path: how to reach it, and what the user must see."""

    setup: Setup
    says: str
    code: int = 1
    env: dict[str, str] = field(default_factory=dict)


def _new(*args: str) -> Setup:
    return lambda home: ["new", "svc", *args]


def _file(name: str, text: str, *args: str) -> Setup:
    def setup(home: Path) -> list[str | Path]:
        (home / name).write_text(text)
        return ["new", "svc", "--answers-file", home / name, *args]

    return setup


def _service(home: Path, *, commit: bool = True) -> Path:
    result = run_scaffold("new", "svc", "--defaults", "--data", "ci=none", home=home)
    assert result.returncode == 0, result.stderr
    if commit:
        git_save(home / "svc", "generated")
    return home / "svc"


def _answers(service: Path, change: Callable[[dict[str, object]], object]) -> None:
    """Change the service's recorded answers as CHANGE does to the mapping."""
    path = service / ".copier-answers.yml"
    answers = yaml.safe_load(path.read_text())
    change(answers)
    path.write_text(yaml.safe_dump(answers))


def _update_with(
    change: Callable[[Path], object], *args: str, commit: bool = True, save: bool = False
) -> Setup:
    """An update of a service after CHANGE (committed when SAVE), with ARGS."""

    def setup(home: Path) -> list[str | Path]:
        service = _service(home, commit=commit)
        change(service)
        if save:
            git_save(service, "the team's change")
        return ["update", service, "--defaults", *args]

    return setup


def _target_is_a_file(home: Path) -> list[str | Path]:
    (home / "svc").write_text("not a folder\n")
    return ["new", "svc", "--defaults"]


def _target_has_files(home: Path) -> list[str | Path]:
    (home / "svc").mkdir()
    (home / "svc/notes.txt").write_text("mine\n")
    return ["new", "svc", "--defaults"]


def _only_git_on_path(home: Path) -> str:
    """A PATH with git and nothing else: the package managers are missing."""
    bin_dir = home / "only-git"
    bin_dir.mkdir(exist_ok=True)
    git = shutil.which("git")
    assert git
    (bin_dir / "git").symlink_to(git)
    return str(bin_dir)


def _conflicting_edit(service: Path) -> None:
    """An edit the next template release also makes, differently: a conflict."""
    answers = service / ".copier-answers.yml"
    # Pretend the service came from 0.2.0 with a Dockerfile edit on the line 0.3.0 rewrites.
    answers.write_text(re.sub(r"(?m)^_commit: .*$", "_commit: 0.2.0", answers.read_text()))
    text = (service / "Dockerfile").read_text()
    (service / "Dockerfile").write_text(text.replace("FROM python:3.14-slim", "FROM python:3.13"))
    git_save(service, "team edit")


def _init(files: dict[str, str | bytes], *args: str) -> Setup:
    """`scaffold init` on a project holding FILES."""

    def setup(home: Path) -> list[str | Path]:
        for name, content in files.items():
            (home / "proj" / name).parent.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode()
            (home / "proj" / name).write_bytes(data)
        return ["init", home / "proj", *args]

    return setup


def _init_nameless_workspace_package(home: Path) -> list[str | Path]:
    """`scaffold init` in apps/api of a pnpm workspace, whose package.json has no name."""
    _init({"pnpm-workspace.yaml": "packages:\n  - apps/*\n", "apps/api/package.json": "{}"})(home)
    subprocess.run(["git", "init", "--quiet"], cwd=home / "proj", check=True)
    return ["init", home / "proj/apps/api", "--defaults"]


GO = {"go.mod": "module example.com/svc\n\ngo 1.24\n", "go.sum": "", "main.go": "package main\n"}


def _fork_without_release(home: Path) -> list[str | Path]:
    fork = home / "fork"
    fork.mkdir()
    (fork / "copier.yml").write_text("project_name: {type: str}\n")
    subprocess.run(["git", "init", "--quiet"], cwd=fork, check=True)
    git_save(fork, "no release yet")
    return ["new", "svc", "--defaults", "--template", fork]


def _export_into_files(home: Path) -> list[str | Path]:
    (home / "fork").mkdir()
    (home / "fork/notes.txt").write_text("mine\n")
    return ["template", "export", home / "fork"]


CATALOGUE: dict[str, Case] = {
    "no terminal and no answers": Case(_new(), "no terminal to ask questions on: pass --defaults"),
    "--data without =": Case(_new("--data", "port"), "--data takes KEY=VALUE", code=2),
    "unknown answer key": Case(_new("--defaults", "--data", "colour=blue"), "unknown key colour"),
    "answer of the wrong type": Case(_new("--data", "port=http"), "port must be a whole number"),
    "answer its validator refuses": Case(_new("--data", "uid=0"), "uid must be a number from 1"),
    "answer that does not apply": Case(
        _new("--data", "serving=python", "--data", "port=8000"),
        "port does not apply to these answers; remove it",
    ),
    "answers file missing": Case(
        lambda home: ["new", "svc", "--answers-file", home / "nope.yml"], "cannot read answers file"
    ),
    "answers file not YAML": Case(_file("a.yml", "language: [python\n"), "is not valid YAML"),
    "answers file not a mapping": Case(_file("a.yml", "- python\n"), "must be a YAML mapping"),
    "target is a file": Case(_target_is_a_file, "exists and is not a directory: choose another"),
    "target has files": Case(_target_has_files, "is not empty: choose a new directory, or pass"),
    "package manager not installed": Case(
        _new("--defaults", "--data", "language=node"),
        "npm is needed to create package-lock.json and is not installed",
        env={"PATH": "<only git>"},
    ),
    "package manager fails": Case(
        _new("--defaults", "--data", "package_manager=uv", "--data", "language_version=3.99"),
        "`uv lock --quiet` failed: error: No interpreter found for Python >=3.99",
        env={"UV_PYTHON_DOWNLOADS": "never"},
    ),
    "package manager fails: what to do": Case(
        _new("--defaults", "--data", "package_manager=uv", "--data", "language_version=3.99"),
        "; nothing was written: fix that and rerun, or choose another package_manager",
        env={"UV_PYTHON_DOWNLOADS": "never"},
    ),
    "git not installed": Case(
        _new("--defaults"),
        "git is not installed: scaffold needs it for templates and updates; install git (e.g. "
        "apt-get install git), then rerun",
        env={"PATH": "/nonexistent"},
    ),
    "image without a Docker Hub namespace": Case(
        _new("--defaults", "--data", "image=web-site"),
        "image: Docker Hub images are namespace/name, e.g. acme/web-site",
    ),
    "update outside a service": Case(
        lambda home: ["update", home], "has no .copier-answers.yml: run scaffold update inside"
    ),
    "update: answers file not YAML": Case(
        _update_with(lambda s: (s / ".copier-answers.yml").write_text("a: [\n")),
        "is not valid YAML: restore it from git",
    ),
    "update: answers file not a mapping": Case(
        _update_with(lambda s: (s / ".copier-answers.yml").write_text("- a\n")),
        "is not a mapping of answers: restore it from git",
    ),
    "update: not a git repository": Case(
        _update_with(lambda s: None, commit=False), "is not a git repository: run `git init"
    ),
    "update: uncommitted changes": Case(
        _update_with(lambda s: (s / "Dockerfile").write_text("# wip\n")),
        "has uncommitted changes: commit or stash them",
    ),
    "update: git not installed": Case(
        _update_with(lambda s: None),
        "git is not installed: scaffold update needs it",
        env={"PATH": "/nonexistent"},
    ),
    "update: unknown template release": Case(
        lambda home: ["update", _service(home), "--defaults", "--vcs-ref", "9.9.9"],
        "template release 9.9.9 not found in ~/.local/share/scaffold/templates.bundle: choose one",
    ),
    "update: downgrade": Case(
        lambda home: ["update", _service(home), "--vcs-ref", "0.1.0"],
        "newer than 0.1.0: downgrades are not supported",
    ),
    "update: answers without a template source": Case(
        _update_with(lambda s: _answers(s, lambda a: a.pop("_src_path"))),
        "records no template source or release (_src_path, _commit): restore it from git",
    ),
    "update: template source gone": Case(
        _update_with(
            lambda s: _answers(s, lambda a: a.update(_src_path="/nonexistent/tpl")), save=True
        ),
        "cannot read the template releases of /nonexistent/tpl: check that it exists",
    ),
    "update: --ask an unknown key": Case(
        lambda home: ["update", _service(home), "--ask", "colour"],
        "--ask: unknown key colour (valid keys:",
        code=2,
    ),
    "update: answer deletes edited files": Case(
        _update_with(
            lambda s: (s / "app/main.py").write_text("# ours\n"),
            "--data",
            "include_app=false",
            save=True,
        ),
        "these answers would delete app/main.py, which hold your committed changes: keep",
    ),
    "update: release that cannot update older services": Case(
        _update_with(
            lambda s: _answers(s, lambda a: (a.pop("include_app"), a.update(_commit="0.3.0"))),
            "--vcs-ref",
            "0.4.0",
            save=True,
        ),
        "template release 0.4.0 cannot update a service made by 0.3.0",
    ),
    "update: conflict with an edit": Case(
        _update_with(_conflicting_edit), "update left conflicts in Dockerfile: resolve the <<<<<<<"
    ),
    "init: not a folder": Case(
        lambda home: ["init", home / "nope", "--defaults"],
        "is not a folder: point scaffold init at an existing project (scaffold new creates one)",
    ),
    "init: already set up": Case(
        _init({**GO, ".copier-answers.yml": "_commit: 0.3.0\n"}, "--defaults"),
        "already has .copier-answers.yml: run scaffold update to bring it to the newest",
    ),
    "init: asked for the app skeleton": Case(
        _init(GO, "--defaults", "--data", "include_app=yes"),
        "scaffold init never writes an app skeleton: drop include_app",
    ),
    "init: no terminal and no answers": Case(
        _init(GO), "no terminal to ask questions on: pass --defaults (detected answers)"
    ),
    "init: a file differs": Case(
        _init({**GO, "Dockerfile": "FROM golang\n"}, "--defaults"),
        "1 file(s) already exist with other content (Dockerfile): see them with --dry-run, then",
    ),
    "init: a folder where a file goes": Case(
        _init({**GO, "Dockerfile/README": "a folder\n"}, "--defaults"),
        "exists and is not a file: move it away, then rerun",
    ),
    "init: no manifest": Case(
        _init({"notes.txt": "hello\n"}, "--defaults"),
        "(no package.json, pyproject.toml, go.mod, Cargo.toml, pom.xml, *.csproj, composer.json "
        "or Gemfile): pass --data language=LANGUAGE",
    ),
    "init: services in sub-folders": Case(
        _init({"api/go.mod": "module api\n", "web/package.json": "{}"}, "--defaults"),
        "has no manifest of its own but services in api/, web/: run scaffold init proj/api",
    ),
    "init: several languages": Case(
        _init({"package.json": "{}", "requirements.txt": "flask\n"}, "--defaults"),
        "has manifests of several languages (package.json, requirements.txt): run scaffold init",
    ),
    "init: npm workspaces": Case(
        _init({"package.json": '{"workspaces": ["packages/*"]}'}, "--defaults"),
        "is a workspace of several packages: run scaffold init in the folder of the package",
    ),
    "init: a nameless package of a pnpm workspace": Case(
        _init_nameless_workspace_package,
        "/package.json has no name, which its pnpm workspace needs to pick it out: add a name",
    ),
    "init: Go workspace": Case(
        _init({**GO, "go.work": "go 1.24\n"}, "--defaults"),
        "is a Go workspace (go.work): run scaffold init in one module's folder",
    ),
    "init: Cargo workspace": Case(
        _init({"Cargo.toml": '[workspace]\nmembers = ["api"]\n'}, "--defaults"),
        "is a Cargo workspace: run scaffold init in the folder of the service's crate",
    ),
    "init: two lockfiles": Case(
        _init({"package.json": "{}", "package-lock.json": "{}", "yarn.lock": ""}, "--defaults"),
        "has lockfiles of several package managers (package-lock.json, yarn.lock): delete the",
    ),
    "init: bun": Case(
        _init({"package.json": "{}", "bun.lockb": ""}, "--defaults"),
        "bun is not supported yet: create a package-lock.json (npm install) or pass",
    ),
    "init: package.json not JSON": Case(
        _init({"package.json": '{"name": '}, "--defaults"), "package.json is not valid JSON ("
    ),
    "init: package.json not an object": Case(
        _init({"package.json": "[]"}, "--defaults"),
        "package.json is not a JSON object: fix it first",
    ),
    "init: a manifest of another shape": Case(
        _init({"pyproject.toml": 'project = "billing"\n'}, "--defaults"),
        "cannot read pyproject.toml (AttributeError: 'str' object has no attribute 'get'): pass "
        "the answers with --data KEY=VALUE",
    ),
    "init: package.json not UTF-8": Case(
        _init({"package.json": b'{"name": "caf\xe9"}'}, "--defaults"),
        "package.json is not UTF-8 text: save it as UTF-8 first",
    ),
    "template: not a repository": Case(
        lambda home: ["new", "svc", "--defaults", "--template", home / "nope"],
        "cannot read template",
    ),
    "template: no release tag": Case(
        _fork_without_release, "has no release tag: tag one (e.g. git tag 1.0.0) so services"
    ),
    "template export: folder not empty": Case(
        _export_into_files,
        "is not empty: choose a new folder for the template",
    ),
}
# Errors no user input reaches, each with the reason it is not in the catalogue.
UNREACHABLE = {
    "update failed": "Copier refusing an update that scaffold's own checks let through",
    "for the dry run": "git failing to clone the repository it has just read",
    "; check its permissions": "root reads every folder: test_init drops that capability",
    "has no copier.yml at release": "a tagged repository that is no template: test_init",
    "rendering the template failed": "Copier failing on a template that every test renders",
    "cannot build the template bundle from the checkout": "a source checkout without git history",
    "has no static version": "a build-time check of pyproject.toml, not a CLI error",
    "git merge-file could not merge": "git failing on three files scaffold has just written",
}


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_every_error_is_one_line_with_its_exit_code_and_writes_nothing(
    name: str, home: Path
) -> None:
    case = CATALOGUE[name]
    argv = case.setup(home)
    env = dict(case.env)
    if env.get("PATH") == "<only git>":
        env["PATH"] = _only_git_on_path(home)
    before = _snapshot(home)
    line = assert_one_line_error(run_scaffold(*argv, home=home, env=env), code=case.code)
    assert line.startswith("error: ") and case.says in line, line
    if argv[0] == "new" and name not in {"target is a file", "target has files"}:
        assert_nothing_written(home)
    elif "conflict" not in name:
        assert _snapshot(home) == before, "a refused command changed files"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file()
        and ".git" not in p.parts
        and ".cache" not in p.parts
        and ".local" not in p.parts
    }


WRITE_FAILED = ", nothing was written"


@contextlib.contextmanager
def _mounted(folder: Path, options: str) -> Iterator[bool]:
    """A tmpfs on FOLDER with OPTIONS; False when this machine cannot mount (not root)."""
    folder.mkdir()
    done = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=False
        ).returncode
        == 0
    )
    try:
        yield done
    finally:
        if done:
            subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ("ro,size=1m", "Read-only file system; choose a writable folder"),
        ("size=24k", "No space left on device; free some space"),
    ],
)
def test_a_read_only_or_full_target_is_one_line_and_leaves_nothing(
    home: Path, options: str, says: str
) -> None:
    with _mounted(home / "mnt", options) as mounted:
        if not mounted:
            if "ro" not in options:
                pytest.fail("a full file system can only be made as root (CI runs as root)")
            (home / "mnt").chmod(0o555)
        line = assert_one_line_error(run_scaffold("new", home / "mnt/svc", "--defaults", home=home))
        assert f"cannot write {home / 'mnt/svc'}: " in line and line.endswith(WRITE_FAILED)
        if mounted:
            assert says in line
        assert list((home / "mnt").iterdir()) == []


def _raised_messages() -> list[tuple[str, list[str]]]:
    """(where, literal pieces of the message) for every `raise X(...)` in scaffold/."""
    found = []
    for path in sorted((REPO / "scaffold").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            if not node.exc.args:
                continue
            pieces = [
                n.value
                for n in ast.walk(node.exc.args[0])
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            found.append((where, [piece for piece in pieces if len(piece) >= 12]))
    return found


def test_every_raised_error_is_in_the_catalogue() -> None:
    tested = [case.says for case in CATALOGUE.values()] + list(UNREACHABLE) + [WRITE_FAILED]
    for where, pieces in _raised_messages():
        # No piece: a message from elsewhere (a validator in copier.yml, a value re-raised).
        assert not pieces or any(_overlap(p, says) for p in pieces for says in tested), (
            f"{where} raises {pieces}, which no catalogue case shows"
        )


def _overlap(literal: str, says: str) -> bool:
    """Whether SAYS shows LITERAL: they share 16 characters, or all of a shorter LITERAL."""
    match = difflib.SequenceMatcher(None, literal, says).find_longest_match()
    return match.size >= min(16, len(literal.strip(" :;,")))
