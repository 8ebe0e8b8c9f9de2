"""`scaffold new` against plain `copier copy`, and the lockfiles scaffold adds."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import LOCKFILES, run_copier, run_scaffold, tree

# Python 3.11 is the interpreter these machines have: uv locks for the version it can run.
CASES = {
    "python-pip": ["language=python"],
    "python-uv": ["language=python", "package_manager=uv", "language_version=3.11"],
    "node-npm": ["language=node"],
    "node-pnpm-nginx": ["language=node", "package_manager=pnpm", "serving=nginx"],
    "node-yarn": ["language=node", "package_manager=yarn"],
}
# Answers whose default differs: scaffold new locks pip services with hashes (its lock step
# compiles requirements.txt), plain copier cannot compile and defaults to no.
SAME_ANSWERS = {"python-pip": ["pip_hashes=true"]}
EXPECTED_LOCKFILES = {
    "python-pip": ["requirements-dev.txt", "requirements.txt"],
    "python-uv": ["uv.lock"],
    "node-npm": ["package-lock.json"],
    "node-pnpm-nginx": ["pnpm-lock.yaml"],
    "node-yarn": ["yarn.lock"],
}


def _data_args(pairs: list[str]) -> list[str]:
    return [arg for pair in pairs for arg in ("--data", pair)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_scaffold_new_equals_plain_copier_copy_apart_from_the_lockfile(
    case: str, home: Path
) -> None:
    args = _data_args(CASES[case])
    made = run_scaffold("new", "svc", "--defaults", *args, home=home)
    assert made.returncode == 0, made.stderr
    # The same answers through plain copier, from the bundle scaffold installed.
    copied = run_copier(
        "copy",
        "--defaults",
        *args,
        *_data_args(SAME_ANSWERS.get(case, [])),
        "--data",
        "project_name=svc",
        "~/.local/share/scaffold/templates.bundle",
        "plain/svc",
        home=home,
        cwd=home,
    )
    assert copied.returncode == 0, copied.stderr

    ours, theirs = tree(home / "svc"), tree(home / "plain/svc")
    lockfiles = EXPECTED_LOCKFILES[case]
    extra = sorted(set(ours) - set(theirs))
    assert extra == lockfiles, "scaffold adds only the lockfiles"
    assert sorted(theirs) == sorted(set(ours) - set(lockfiles)), "same file list otherwise"
    for name, content in theirs.items():
        assert ours[name] == content, f"{name} differs between scaffold new and copier copy"
    for lockfile in lockfiles:
        assert ours[lockfile].strip(), f"{lockfile} is empty"


def test_lock_step_leaves_no_install_behind(home: Path) -> None:
    for case in ("node-yarn", "node-pnpm-nginx"):
        made = run_scaffold("new", case, "--defaults", *_data_args(CASES[case]), home=home)
        assert made.returncode == 0, made.stderr
        names = {p.name for p in (home / case).iterdir()}
        assert not names & {"node_modules", ".yarn", ".pnp.cjs"}, names
        assert names & LOCKFILES
