"""The question model: copier.yml read once, its Jinja expressions evaluated the way Copier does.

copier.yml is the only place questions, choices, defaults and validators are written. This
module reads them and evaluates them against the answers given so far, so that scaffold's
prompts, `--data` checks and `--defaults` agree with plain `copier copy`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from scaffold.errors import InvalidAnswer, UsageError

_TRUE = {"y", "yes", "true", "on", "1"}
_FALSE = {"n", "no", "false", "off", "0"}


@dataclass(frozen=True)
class Choice:
    """One choice of a question: the label shown, the value stored, and when it is unavailable."""

    label: str
    value: Any
    validator: str = ""


@dataclass(frozen=True)
class Question:
    """One question of copier.yml, with its expressions kept as written."""

    name: str
    type: str
    help: str = ""
    default: Any = None
    choices: tuple[Choice, ...] = ()
    validator: str = ""
    when: Any = True


@dataclass
class Questionnaire:
    """All questions in order, and the Jinja environment that evaluates their expressions."""

    questions: list[Question]
    env: SandboxedEnvironment = field(repr=False)
    _compiled: dict[str, Template] = field(default_factory=dict, repr=False)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def names(self) -> list[str]:
        """The answer keys, in the order copier.yml asks them."""
        return [q.name for q in self.questions]

    def render(self, text: Any, context: Mapping[str, Any]) -> Any:
        """Render a string expression against CONTEXT; other values pass through."""
        if not isinstance(text, str) or "{" not in text:
            return text
        compiled = self._compiled.get(text)
        if compiled is None:
            compiled = self._compiled[text] = self.env.from_string(text)
        return compiled.render(**context)

    def applies(self, question: Question, context: Mapping[str, Any]) -> bool:
        """Whether QUESTION is asked at all, given the answers so far (its `when`)."""
        when = self.render(question.when, context)
        return when if isinstance(when, bool) else _to_bool(str(when).strip() or "false")

    def default(self, question: Question, context: Mapping[str, Any]) -> Any:
        """QUESTION's default, rendered and cast to its type."""
        return cast(question, self.render(question.default, context))

    def available(self, question: Question, context: Mapping[str, Any]) -> list[Choice]:
        """The choices whose own validator renders empty, i.e. valid with the answers so far."""
        return [c for c in question.choices if not self.render(c.validator, context).strip()]

    def error(self, question: Question, value: Any, context: Mapping[str, Any]) -> str:
        """The validation message for VALUE, or "" when it is valid."""
        if question.choices:
            allowed = [c.value for c in self.available(question, context)]
            if value not in allowed:
                chosen = next((c for c in question.choices if c.value == value), None)
                why = self.render(chosen.validator, context).strip() if chosen else ""
                listed = ", ".join(str(v) for v in allowed)
                if why:  # a choice that exists, but not with these answers: say why
                    return f"{question.name} must be one of: {listed} (got {value!r}: {why})"
                return f"{question.name} must be one of: {listed} (got {value!r})"
        if not question.validator:
            return ""
        message = self.render(question.validator, {**context, question.name: value})
        return " ".join(str(message).split())


def cast(question: Question, value: Any) -> Any:
    """Convert VALUE (from --data, YAML or a prompt) to QUESTION's type, or raise InvalidAnswer."""
    if value is None:
        return None
    try:
        if question.type == "int":
            if isinstance(value, bool):
                raise ValueError(value)
            return int(str(value).strip())
        if question.type == "bool":
            return value if isinstance(value, bool) else _to_bool(str(value))
    except ValueError:
        expected = "a whole number" if question.type == "int" else "yes or no"
        raise InvalidAnswer(f"{question.name} must be {expected} (got {value!r})") from None
    return str(value)


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(text)


def load(template_dir: Path) -> Questionnaire:
    """Read the questions of the Copier template in TEMPLATE_DIR."""
    return parse((template_dir / "copier.yml").read_text(encoding="utf-8"))


def parse(copier_yml: str) -> Questionnaire:
    """The questions of a copier.yml given as text (e.g. read from a template release)."""
    config = yaml.safe_load(copier_yml)
    questions = [_question(name, spec) for name, spec in config.items() if not name.startswith("_")]
    env = SandboxedEnvironment(
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"],
        undefined=StrictUndefined,
    )
    return Questionnaire(questions, env)


def _question(name: str, spec: Mapping[str, Any]) -> Question:
    choices = spec.get("choices") or {}
    items = choices.items() if isinstance(choices, Mapping) else ((c, c) for c in choices)
    parsed = tuple(
        Choice(str(label), value["value"], value.get("validator", ""))
        if isinstance(value, Mapping)
        else Choice(str(label), value)
        for label, value in items
    )
    return Question(
        name=name,
        type=spec.get("type", "str"),
        help=spec.get("help", ""),
        default=spec.get("default"),
        choices=parsed,
        validator=spec.get("validator", ""),
        when=spec.get("when", True),
    )


def parse_data(pairs: list[str], questionnaire: Questionnaire) -> dict[str, Any]:
    """Turn `--data KEY=VALUE` arguments into answers, refusing unknown keys."""
    answers: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--data takes KEY=VALUE, got {pair!r}")
        answers[key.strip()] = value
    check_keys(answers, questionnaire, "--data")
    return answers


def check_keys(answers: Mapping[str, Any], questionnaire: Questionnaire, origin: str) -> None:
    """Refuse answer keys that copier.yml does not define, naming the valid ones."""
    unknown = sorted(set(answers) - set(questionnaire.names()))
    if unknown:
        valid = ", ".join(questionnaire.names())
        raise InvalidAnswer(f"{origin}: unknown key {', '.join(unknown)} (valid keys: {valid})")
