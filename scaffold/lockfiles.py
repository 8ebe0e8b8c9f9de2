"""Lockfiles that only the package manager can write: scaffold runs it on the fresh service.

The template cannot render a lockfile (it would need the registry), so after rendering,
scaffold runs the chosen package manager in lock-only mode. Plain `copier copy` skips this
step; the service README gives the same command.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError

#: The lock step of pip services that lock with hashes: LOCKERS' key for them (see lock_key).
PIP_HASHES = "pip-hashes"


@dataclass(frozen=True)
class Locker:
    """How one package manager writes its lockfile.

    `{python}` in a command is the image's Python version; THEN are more commands, each run
    when the input file it names last exists, writing the file its --output-file names.
    """

    lockfile: str
    command: tuple[str, ...]
    needs: str
    hint: str
    then: tuple[tuple[str, ...], ...] = ()


def _compile(source: str, output: str) -> tuple[str, ...]:
    """The command that compiles SOURCE into OUTPUT with uv's pip-compatible resolver.

    Every dependency is pinned with its hashes, resolved for every platform and for the image's
    Python (not the Python that runs scaffold). Without --no-python-downloads uv would fetch an
    interpreter of the image's version first (tens of MB, or 10 s of retries offline): resolving
    for a version needs none.
    """
    return (
        "uv", "pip", "compile", "--quiet", "--no-python-downloads", "--universal",
        "--generate-hashes", "--python-version", "{python}", "--output-file", output, source,
    )  # fmt: skip


LOCKERS = {
    # pip services whose requirements.txt is compiled from requirements.in (the pip_hashes answer).
    PIP_HASHES: Locker(
        "requirements.txt",
        _compile("requirements.in", "requirements.txt"),
        "uv",
        "pip install uv",
        then=(_compile("requirements-dev.in", "requirements-dev.txt"),),
    ),
    "uv": Locker("uv.lock", ("uv", "lock", "--quiet"), "uv", "pip install uv"),
    "poetry": Locker(
        "poetry.lock", ("poetry", "lock", "--no-interaction"), "poetry", "pipx install poetry"
    ),
    "npm": Locker(
        "package-lock.json",
        ("npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"),
        "npm",
        "install Node.js, which ships npm",
    ),
    "pnpm": Locker(
        "pnpm-lock.yaml",
        ("corepack", "pnpm", "install", "--lockfile-only", "--ignore-scripts"),
        "corepack",
        "install Node.js 24 or earlier (ships corepack) or `npm install -g corepack`",
    ),
    "yarn": Locker(
        "yarn.lock",
        ("corepack", "yarn", "install", "--mode=update-lockfile"),
        "corepack",
        "install Node.js 24 or earlier (ships corepack) or `npm install -g corepack`",
    ),
}


def locker_for(package_manager: str) -> Locker | None:
    """The lockfile step for PACKAGE_MANAGER (or PIP_HASHES), or None when it needs none (pip)."""
    return LOCKERS.get(package_manager)


def lock_key(answers: Mapping[str, Any]) -> str:
    """Which lock step a service's ANSWERS need: their package manager, or PIP_HASHES."""
    manager = str(answers.get("package_manager", ""))
    return PIP_HASHES if manager == "pip" and answers.get("pip_hashes") else manager


def _which(program: str) -> str | None:
    """PROGRAM on PATH, or installed next to this Python (a venv that is not activated)."""
    return shutil.which(program) or shutil.which(program, path=str(Path(sys.executable).parent))


def missing(package_manager: str) -> str:
    """What is missing to lock PACKAGE_MANAGER's dependencies, with the fix; "" when nothing."""
    locker = locker_for(package_manager)
    if locker and _which(locker.needs) is None:
        instead = (
            "answer no to pip_hashes (--data pip_hashes=false) for a requirements.txt you pin"
            if package_manager == PIP_HASHES
            else "choose another package_manager"
        )
        return (
            f"{locker.needs} is needed to create {locker.lockfile} and is not installed: "
            f"{locker.hint}, or {instead}"
        )
    return ""


def first_error(output: str) -> str:
    """The useful line of a failed tool's output: its first error (with the cause under it).

    Tools print the cause first and their own wrap-up last (uv's `cause:` line under
    `error:`, npm's `ERR!` lines before the log file's path), so the last line misleads.
    """
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if _ERROR.search(line):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if following[:1].isspace() and not following.lstrip().startswith("\u00d7"):
                return f"{line.strip()} ({following.strip()})"
            npm = _NPM_CODE.match(line)
            if npm and following.startswith(npm.group(1)):  # `npm error code E404`: say what
                return f"{line.strip()} ({following.removeprefix(npm.group(1)).strip()})"
            return line.strip()
    return lines[-1].strip() if lines else ""


# npm names the error's code first and what happened on the next line of the same prefix.
_NPM_CODE = re.compile(r"((?:npm|pnpm) (?:error|ERR!)) code \S+$")
# uv marks errors with a multiplication sign: "  \u00d7 No solution found".
_ERROR = re.compile("(?i)(^|\\s)(error|fatal|failed)\\b|\\bERR!|^\\s*\u00d7")


def create(
    package_manager: str,
    service: Path,
    more_env: dict[str, str] | None = None,
    python: str = "",
) -> list[str]:
    """Write the lockfiles in SERVICE; remove anything else the tool left. Returns their names.

    MORE_ENV is added to the tool's environment; PYTHON is the image's Python version.
    """
    locker = locker_for(package_manager)
    if locker is None:
        return []
    before = {p for p in service.rglob("*")}
    env = {**os.environ, "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0", "CI": "1", **(more_env or {})}
    # The Python running scaffold, last on PATH: `uv pip compile` needs an interpreter of any
    # version to resolve for the image's (--python-version), and downloads are switched off.
    env["PATH"] = os.pathsep.join(filter(None, [env.get("PATH"), str(Path(sys.executable).parent)]))
    from scaffold import console

    written = []
    steps = [(locker.lockfile, locker.command)]
    steps += [(then[-2], then) for then in locker.then if (service / then[-1]).is_file()]
    for lockfile, template in steps:
        command = [part.replace("{python}", python) for part in template]
        console.status("lock", f"{lockfile}: running {' '.join(command)} ...")
        result = subprocess.run(
            [_which(command[0]) or command[0], *command[1:]],
            cwd=service,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not (service / lockfile).is_file():
            detail = first_error(f"{result.stderr}\n{result.stdout}")
            raise ScaffoldError(
                f"`{' '.join(command)}` failed: {detail or f'exit code {result.returncode}'}; "
                f"nothing was written: fix that and rerun, or choose another package_manager"
            )
        written.append(lockfile)
    for path in sorted({p for p in service.rglob("*")} - before, reverse=True):
        if path.name in written and path.parent == service:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return written
