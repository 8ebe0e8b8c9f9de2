"""Turning what the user gave (--data, an answers file, prompts) into a complete set of answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2.exceptions import UndefinedError

from scaffold.errors import InvalidAnswer, ScaffoldError, ToolMissing
from scaffold.questions import Question, Questionnaire, cast, check_keys

#: ask(questionnaire, question, answers so far, detected value, answer given before) -> answer
Asker = Callable[[Questionnaire, Question, Mapping[str, Any], Any, Any], Any]


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


class GoBack(Exception):
    """Raised by an asker when the user presses Esc: ask the previous question again."""


#: What the chosen answers still need, checked right after the question that chose them:
#: (question name, value, answers so far) -> a one-line problem with its fix, or "".
Check = Callable[[str, Any, Mapping[str, Any]], str]


def resolve(
    questionnaire: Questionnaire,
    given: Mapping[str, Any],
    *,
    folder_name: str,
    ask: Asker | None,
    detected: Mapping[str, Any] | None = None,
    check: Check | None = None,
    keep: Mapping[str, Any] | None = None,
    change: str | None = None,
    new_service: bool = False,
    known: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete the answers in copier.yml's order: given, only choice, ASK, else the default.

    NEW_SERVICE (`scaffold new`) sets `_scaffold_new` for the defaults: what only scaffold's
    own steps make possible (pip_hashes: its lock step compiles requirements.txt) defaults to yes
    there and to no with plain Copier and on updates. KNOWN adds more such `_scaffold_` facts,
    about the project, for the questions' `when` (`_scaffold_workspace`: init found one).

    A choice question with a single valid choice for these answers is not asked. DETECTED
    answers (read from an existing project) replace the defaults where they are valid for the
    answers so far; ASK receives the detected value, or None, as its fourth argument, and the
    answer given before (when going back or changing one answer) as its fifth.

    KEEP holds the answers of an earlier round: each one still valid is kept without asking,
    except CHANGE, which is asked again; one that was only the default then becomes the default
    for the new answers (a Python version does not stay when the language becomes Node.js).
    CHECK runs after each question; on a terminal a problem is shown and the question asked
    again, otherwise it is raised as ToolMissing.
    When ASK raises GoBack, the question asked before it is asked again.

    Every value is validated with the question's own validator, so bad input fails here,
    before anything is rendered or written.
    """
    rounds = _Rounds(questionnaire, ask, detected or {}, check, dict(keep or {}))
    questions = list(questionnaire)
    private = {"_folder_name": folder_name, **({"_scaffold_new": True} if new_service else {})}
    private.update(known or {})
    context: dict[str, Any] = dict(private)
    answers: dict[str, Any] = {}
    index = 0
    while index < len(questions):
        question = questions[index]
        if not questionnaire.applies(question, context):
            if question.name in given:
                raise InvalidAnswer(f"{question.name} does not apply to these answers; remove it")
            context[question.name] = questionnaire.default(question, context)
            index += 1
            continue
        only = questionnaire.available(question, context) if question.choices else []
        kept = _valid(questionnaire, question, (keep or {}).get(question.name), context)
        if question.name in given:
            value = cast(question, given[question.name])
        elif len(only) == 1:
            value = only[0].value  # one possible answer (Go's package manager): nothing to ask
        elif kept is not None and question.name != change:
            value = kept
            before = {**private, **(keep or {})}
            if kept == _default_in(questionnaire, question, before):
                value = questionnaire.default(question, context)  # a default follows the change
        elif ask is not None:
            value = rounds.ask(question, (index, context, answers))
            if value is None:  # asked again, or Esc went back
                index, context, answers = rounds.position
                continue
            context[question.name] = answers[question.name] = value  # validated and checked
            index += 1
            continue
        else:
            found = _valid(questionnaire, question, (detected or {}).get(question.name), context)
            value = questionnaire.default(question, context) if found is None else found
        message = questionnaire.error(question, value, context)
        if message:
            raise InvalidAnswer(message)
        problem = check(question.name, value, context) if check else ""
        if problem:
            raise ToolMissing(problem)
        context[question.name] = answers[question.name] = value
        index += 1
    return answers


Position = tuple[int, dict[str, Any], dict[str, Any]]


@dataclass
class _Rounds:
    """The questions asked on the terminal so far, so Esc can go back and answers are reused."""

    questionnaire: Questionnaire
    asker: Asker | None
    detected: Mapping[str, Any]
    check: Check | None
    chosen: dict[str, Any]
    asked: list[Position] = field(default_factory=list)
    position: Position = (0, {}, {})

    def ask(self, question: Question, here: Position) -> Any:
        """The checked answer to QUESTION; None when it must be asked again from `position`."""
        assert self.asker is not None
        index, context, answers = here
        found = _valid(self.questionnaire, question, self.detected.get(question.name), context)
        self.position = (index, dict(context), dict(answers))
        try:
            value = self.asker(
                self.questionnaire, question, context, found, self.chosen.get(question.name)
            )
        except GoBack:
            if self.asked:
                self.position = self.asked.pop()
            return None
        self.chosen[question.name] = value
        problem = self.check(question.name, value, context) if self.check else ""
        if problem:
            from scaffold import console

            console.warning(problem)
            return None
        self.asked.append(self.position)
        return value


def _default_in(
    questionnaire: Questionnaire, question: Question, answers: Mapping[str, Any]
) -> Any:
    """QUESTION's default given the earlier round's ANSWERS; None when it cannot be rendered."""
    try:
        return questionnaire.default(question, answers)
    except (UndefinedError, InvalidAnswer):  # it reads an answer that round did not have
        return None


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


def renamed(recorded: Mapping[str, Any], renames_yaml: str | None) -> dict[str, Any]:
    """Recorded answers under keys the template has since renamed, given under their new keys.

    RENAMES_YAML is the target release's renamed.yml (old key: new key). The merge base is
    rendered from the answers file as recorded (old keys, old release); the new release gets
    the same answer under its new key, and Copier drops the old one.
    """
    import yaml

    try:
        renames = yaml.safe_load(renames_yaml or "") or {}
    except yaml.YAMLError:
        renames = {}
    if not isinstance(renames, dict):
        return {}
    return {
        str(new): recorded[old]
        for old, new in renames.items()
        if old in recorded and new not in recorded
    }


def recorded(target: Path) -> dict[str, Any]:
    """The answers file of the service in TARGET, with the template source and release."""
    import yaml

    from scaffold import template

    path = target / template.ANSWERS_FILE
    if not path.is_file():
        raise ScaffoldError(
            f"{target} has no {template.ANSWERS_FILE}: "
            "run scaffold update inside a service made by scaffold"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise ScaffoldError(f"{path} is not valid YAML: restore it from git") from None
    if not isinstance(data, dict):
        raise ScaffoldError(f"{path} is not a mapping of answers: restore it from git")
    if not data.get("_src_path") or not data.get("_commit"):
        raise ScaffoldError(
            f"{path} records no template source or release (_src_path, _commit): restore it "
            "from git"
        )
    return data
