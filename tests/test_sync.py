"""The template's parts cover each other: a language added without its pieces fails here."""

from __future__ import annotations

from pathlib import Path

import yaml

from scaffold.answers import resolve

from helpers import TEMPLATES, questionnaire

SCENARIOS = Path(__file__).parent / "scenarios"


def _choices(name: str) -> set[str]:
    question = next(q for q in questionnaire() if q.name == name)
    return {str(c.value) for c in question.choices}


def _scenario_answers() -> list[dict[str, object]]:
    return [yaml.safe_load((s / "answers.yml").read_text()) or {} for s in SCENARIOS.iterdir()]


# A static site is a Node.js build: it shares Node's Dockerfile template and facts.
SHARED = {"static": "node"}


def test_every_language_has_a_dockerfile_body_and_facts() -> None:
    for language in _choices("language"):
        body = SHARED.get(language, language)
        assert (TEMPLATES / "dockerfiles" / f"{body}.jinja").is_file(), language
        assert (TEMPLATES / "data" / f"{body}.jinja").is_file(), language
    for path in (TEMPLATES / "dockerfiles").glob("*.jinja"):
        assert path.stem in _choices("language"), f"{path.name} has no language in copier.yml"


def test_every_choice_has_a_golden_scenario() -> None:
    seen: dict[str, set[str]] = {"language": set(), "serving": set(), "package_manager": set()}
    for given in _scenario_answers():
        answers = resolve(questionnaire(), given, folder_name="svc", ask=None)
        for key, values in seen.items():
            values.add(str(answers[key]))
    for key, values in seen.items():
        missing = _choices(key) - values
        assert not missing, f"no golden scenario for {key}: {sorted(missing)}"


def test_scenarios_use_only_keys_copier_yml_defines() -> None:
    keys = set(questionnaire().names())
    for answers in _scenario_answers():
        assert set(answers) <= keys, set(answers) - keys
