"""Golden scenarios: answers -> expected tree, byte for byte.

Each folder in tests/scenarios/ holds answers.yml and expected/, and optionally only.txt: the
paths (or folder prefixes) the scenario is about, when the rest of its tree is another scenario's
(the pipeline scenarios keep only their CI files, README.md and answers). Run
`pytest tests/test_golden.py --update-goldens` to rewrite expected/ from the current template,
then review the diff like any other change.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from scaffold import questions, template
from scaffold.answers import resolve
from scaffold.cli import version
from scaffold.commands.new import render

from helpers import tree

SCENARIOS = Path(__file__).parent / "scenarios"
COMMIT_LINE = re.compile(rb"^_commit: .*$", re.MULTILINE)


def _normalise(files: dict[str, bytes]) -> dict[str, bytes]:
    """The template version changes with every release; the goldens should not."""
    answers = ".copier-answers.yml"
    if answers in files:
        files[answers] = COMMIT_LINE.sub(b"_commit: VERSION", files[answers])
    return files


def render_scenario(folder: Path, out: Path) -> dict[str, bytes]:
    given = yaml.safe_load((folder / "answers.yml").read_text()) or {}
    q = questions.load(template.templates_dir())
    answers = resolve(q, given, folder_name=folder.name, ask=None, new_service=True)  # as `new`
    service = out / folder.name
    render(service, answers, template.Source.open(None, version()))
    files = _normalise(tree(service))
    only = folder / "only.txt"
    if only.exists():
        kept = only.read_text().split()
        files = {k: v for k, v in files.items() if any(k == p or k.startswith(p) for p in kept)}
    return files


@pytest.mark.parametrize("scenario", sorted(p.name for p in SCENARIOS.iterdir()))
def test_scenario_matches_golden(
    scenario: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = SCENARIOS / scenario
    actual = render_scenario(folder, tmp_path)
    expected_dir = folder / "expected"
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, content in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(content)
    expected = tree(expected_dir)
    assert sorted(actual) == sorted(expected), "the scenario's file list changed"
    for name in expected:
        assert actual[name].decode() == expected[name].decode(), f"{scenario}/{name} differs"
