"""Small named helpers so each test reads as a story."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from scaffold import questions, template

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
LOCKFILES = {"uv.lock", "poetry.lock", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"}

# The npm registry these machines reach serves package metadata without signatures, and
# repo.yarnpkg.com is not reachable: point corepack at what is there.
MACHINE_ENV = {
    "COREPACK_INTEGRITY_KEYS": "0",
    "COREPACK_NPM_REGISTRY": "https://registry.npmjs.org",
    "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0",
}


def scaffold_env(home: Path) -> dict[str, str]:
    """Environment for a scaffold or copier subprocess with its own HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COPIER_", "GIT_"))}
    env.update(MACHINE_ENV)
    env.update(HOME=str(home), NO_COLOR="1", XDG_CACHE_HOME=str(home / ".cache"))
    return env


def run_scaffold(
    *args: str | Path,
    home: Path,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed scaffold CLI (python -m scaffold) in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "scaffold", *map(str, args)],
        cwd=cwd or home,
        env={**scaffold_env(home), **(env or {})},
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def copier_bin() -> str:
    """The copier command installed next to this Python."""
    found = shutil.which("copier", path=str(Path(sys.executable).parent)) or shutil.which("copier")
    assert found, "copier is not installed"
    return found


def run_copier(*args: str | Path, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run plain `copier` with HOME=home, as a user without scaffold would."""
    return subprocess.run(
        [copier_bin(), *map(str, args)],
        cwd=cwd,
        env=scaffold_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity; return stdout."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def git_save(cwd: Path, message: str = "save") -> None:
    """Initialise (if needed) and commit everything in CWD."""
    if not (cwd / ".git").exists():
        git(cwd, "init", "--quiet", "--initial-branch=main")
    git(cwd, "add", "--all")
    git(cwd, "commit", "--quiet", "--allow-empty", "-m", message)


def set_version(repo: Path, version: str) -> None:
    """Write VERSION as the static version in REPO's pyproject.toml."""
    pyproject = repo / "pyproject.toml"
    text = re.sub(
        r'^version = ".*"$',
        f'version = "{version}"',
        pyproject.read_text(),
        count=1,
        flags=re.MULTILINE,
    )
    pyproject.write_text(text)


def tree(root: Path, *, skip: set[str] = frozenset()) -> dict[str, bytes]:
    """Every file under ROOT (except .git) as relative path -> bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and p.name not in skip
    }


def questionnaire() -> questions.Questionnaire:
    """The template's questions."""
    return questions.load(TEMPLATES)


# The questions that shape how the image is published, not what is in it. Service combinations
# vary every other choice with these at their defaults; pipeline combinations vary these (and
# dev_test_prod, which adds the test step) for the default service.
PIPELINE = ("ci", "registry", "platforms", "attest", "scan", "sign")
# Answers the combinations keep at `scaffold new`'s default: pip_hashes changes two files and two
# pip flags (tests/test_pip_hashes.py renders both, builds the default), not the image's shape.
AT_DEFAULT = ("pip_hashes",)


def combinations(*, include_app: bool = True) -> Iterator[dict[str, Any]]:
    """Every valid service combination of the choice and bool questions, from copier.yml: new
    services with their skeleton, or (INCLUDE_APP false) the Docker setup of existing projects."""
    for answers in _walk(frozenset(q.name for q in questionnaire()) - {*PIPELINE, *AT_DEFAULT}):
        if answers["include_app"] == include_app:
            yield dict(answers)


def pipelines() -> Iterator[dict[str, Any]]:
    """Every valid combination of the publishing questions, for the default service."""
    for answers in _walk(frozenset({*PIPELINE, "dev_test_prod"})):
        yield dict(answers)


@functools.cache
def _walk(vary: frozenset[str]) -> tuple[dict[str, Any], ...]:
    """Answer sets in copier.yml's order: each choice or bool question named in VARY takes every
    value valid after the answers before it; any other question takes its default."""
    q = questionnaire()
    questions = list(q)
    found: list[dict[str, Any]] = []

    def walk(index: int, context: dict[str, Any], answers: dict[str, Any]) -> None:
        if index == len(questions):
            found.append(answers)
            return
        question = questions[index]
        if not q.applies(question, context):
            walk(index + 1, {**context, question.name: q.default(question, context)}, answers)
            return
        choices = [c.value for c in q.available(question, context)] if question.choices else []
        if question.name in vary and question.type == "bool":
            values: list[Any] = [True, False]
        elif question.name in vary and choices:
            values = choices
        else:
            values = choices if len(choices) == 1 else [q.default(question, context)]
        for value in values:
            if not q.error(question, value, context):
                walk(
                    index + 1, {**context, question.name: value}, {**answers, question.name: value}
                )

    walk(0, {"_folder_name": "svc", "_scaffold_new": True}, {})  # as `scaffold new` answers
    return tuple(found)


def combo_id(answers: Mapping[str, Any]) -> str:
    """A short readable id for a service combination of answers."""
    parts = [
        answers["language"],
        answers["serving"],
        answers["package_manager"],
        "dtp" if answers["dev_test_prod"] else "prod-only",
        *(["collectstatic"] if answers.get("collectstatic") else []),
        *(["native"] if answers.get("native_modules") else []),
        # Official bases keep the ids they had before runtime_base was asked.
        *(
            [answers["runtime_base"]]
            if answers.get("runtime_base", "official") != "official"
            else []
        ),
        answers["registry"],
        answers["ci"],
    ]
    return "-".join(str(p) for p in parts)


def pipeline_id(answers: Mapping[str, Any]) -> str:
    """A short readable id for a pipeline combination of answers."""
    parts = [answers["ci"], answers["registry"]]
    if "platforms" in answers:
        parts.append("multi" if "," in answers["platforms"] else "amd64")
    parts += [flag for flag in ("attest", "scan", "sign") if answers.get(flag)]
    parts.append("dtp" if answers["dev_test_prod"] else "prod-only")
    return "-".join(parts)


def render(answers: Mapping[str, Any], destination: Path) -> Path:
    """Render the template as `scaffold new` does, without the lockfile step."""
    from scaffold.cli import version
    from scaffold.commands.new import render as render_service

    render_service(destination, answers, template.Source.open(None, version()))
    return destination


def template_source(folder: Path) -> Path:
    """A new folder holding a copy of scaffold's template and pyproject.toml, to version in git."""
    folder.mkdir()
    shutil.copytree(TEMPLATES, folder / "templates")
    shutil.copy(REPO / "pyproject.toml", folder / "pyproject.toml")
    return folder


def read_answers(service: Path) -> dict[str, Any]:
    """The service's .copier-answers.yml."""
    data = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert isinstance(data, dict)
    return data


def bundle_home(home: Path) -> Path:
    """Where scaffold installs the release bundle for HOME."""
    return home / template.BUNDLE_SRC.removeprefix("~/")


_INSTRUCTION = re.compile(r"^(FROM|COPY|ADD|RUN)\s+(.*)$", re.IGNORECASE)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        lines.append(current + raw)
        current = ""
    result = []
    for line in lines:
        parts = line.strip().split(None, 1)
        if parts:
            result.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
    return result


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore pattern syntax (Go filepath.Match plus `**`) as a regex."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def dockerignore_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file, cleaned the way Docker cleans them."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = os.path.normpath(line[1:] if negate else line).lstrip("/")
        patterns.append(("!" if negate else "") + body)
    return patterns


def excluded(patterns: list[str], path: str) -> bool:
    """Whether Docker leaves PATH (or a folder above it) out of the build context."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _dockerignore_regex(pattern[1:] if negate else pattern)
        if any(regex.fullmatch(c) for c in candidates):
            result = not negate
    return result


def assert_one_line_error(result: subprocess.CompletedProcess[str], *, code: int = 1) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return lines[0]


def assert_nothing_written(parent: Path, name: str = "svc") -> None:
    assert not (parent / name).exists(), f"{name} was created"
    leftovers = [p.name for p in parent.iterdir() if ".scaffold-" in p.name]
    assert not leftovers, f"scratch folders left behind: {leftovers}"


def tool(name: str) -> str:
    """A linter installed with the test extra."""
    found = shutil.which(name)
    assert found, f"{name} is not installed: run `pip install .[test]`"
    return found


def hadolint_findings(folder: Path) -> str:
    """hadolint's findings on FOLDER's Dockerfile; "" when there are none."""
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "Dockerfile"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    clean = result.returncode == 0 and not result.stdout.strip()
    return "" if clean else f"{result.stdout}{result.stderr}"


def lint_workflows(texts: set[str]) -> dict[str, list[str]]:
    """actionlint, zizmor and GitHub's workflow schema over many workflows, one run of each
    tool: workflow text -> findings (empty when all three are clean)."""
    ordered = sorted(texts)
    findings: dict[str, list[str]] = {text: [] for text in ordered}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch, ".github/workflows")
        folder.mkdir(parents=True)
        names = {}
        for number, text in enumerate(ordered):
            (folder / f"w{number}.yml").write_text(text)
            names[f"w{number}.yml"] = text
        paths = [str(folder / name) for name in names]

        def run(*command: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=False)

        actionlint = run(tool("actionlint"), "-no-color", "-format", "{{json .}}", *paths)
        assert actionlint.returncode in (0, 1), actionlint.stderr
        for item in json.loads(actionlint.stdout or "[]"):
            findings[names[Path(item["filepath"]).name]].append(f"actionlint: {item['message']}")
        zizmor = run(tool("zizmor"), "--offline", "--no-progress", "--format", "json", *paths)
        assert zizmor.stdout.strip().startswith("["), zizmor.stderr
        for item in json.loads(zizmor.stdout):
            where = item["locations"][0]["symbolic"]["key"]["Local"]["verbatim_path"]
            findings[names[Path(where).name]].append(f"zizmor: {item['ident']} {item['desc']}")
        schema = run(
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            "--output-format",
            "json",
            *paths,
        )
        report = json.loads(schema.stdout)
        for item in report.get("errors", []) + report.get("parse_errors", []):
            findings[names[Path(item["filename"]).name]].append(f"schema: {item['message']}")
        assert report["status"] == "ok" or any(findings.values()), schema.stdout
    return findings


@functools.cache
def schema_errors(schema: str, name: str, text: str) -> str:
    """check-jsonschema against one of its vendored schemas; "" when valid (each text once)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch, name)
        path.write_text(text)
        result = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    return "" if result.returncode == 0 else result.stdout + result.stderr
