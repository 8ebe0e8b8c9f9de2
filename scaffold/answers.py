"""Turning what the user gave (--data, an answers file, prompts) into a complete set of answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scaffold.errors import InvalidAnswer
from scaffold.questions import Question, Questionnaire, cast, check_keys

Asker = Callable[[Questionnaire, Question, Mapping[str, Any], Any], Any]


def read_answers_file(path: Path, questionnaire: Questionnaire) -> dict[str, Any]:
    """Read a YAML mapping of answers (the keys of copier.yml; Copier's `_` keys are ignored)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidAnswer(f"cannot read answers file {path}: {error.strerror}") from None
    except yaml.YAMLError:
        raise InvalidAnswer(f"answers file {path} is not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidAnswer(f"answers file {path} must be a YAML mapping of key: value")
    answers = {str(k): v for k, v in data.items() if not str(k).startswith("_")}
    check_keys(answers, questionnaire, f"answers file {path}")
    return answers


def resolve(
    questionnaire: Questionnaire,
    given: Mapping[str, Any],
    *,
    folder_name: str,
    ask: Asker | None,
    detected: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete the answers in copier.yml's order: given, only choice, ASK, else the default.

    A choice question with a single valid choice for these answers is not asked. DETECTED
    answers (read from an existing project) replace the defaults where they are valid for the
    answers so far; ASK receives the detected value, or None, as its fourth argument.

    Every value is validated with the question's own validator, so bad input fails here,
    before anything is rendered or written.
    """
    context: dict[str, Any] = {"_folder_name": folder_name}
    answers: dict[str, Any] = {}
    for question in questionnaire:
        if not questionnaire.applies(question, context):
            if question.name in given:
                raise InvalidAnswer(f"{question.name} does not apply to these answers; remove it")
            context[question.name] = questionnaire.default(question, context)
            continue
        only = questionnaire.available(question, context) if question.choices else []
        if question.name in given:
            value = cast(question, given[question.name])
        elif len(only) == 1:
            value = only[0].value  # one possible answer (Go's package manager): nothing to ask
        else:
            found = _valid(questionnaire, question, (detected or {}).get(question.name), context)
            if ask is not None:
                value = ask(questionnaire, question, context, found)
            else:
                value = questionnaire.default(question, context) if found is None else found
        message = questionnaire.error(question, value, context)
        if message:
            raise InvalidAnswer(message)
        context[question.name] = answers[question.name] = value
    return answers


def _valid(
    questionnaire: Questionnaire, question: Question, value: Any, context: Mapping[str, Any]
) -> Any:
    """VALUE cast to QUESTION's type when it is a valid answer here, else None."""
    if value is None:
        return None
    try:
        value = cast(question, value)
    except InvalidAnswer:
        return None
    return None if questionnaire.error(question, value, context) else value
