"""The questionary adapter: the only module that knows the prompt library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scaffold.errors import InvalidAnswer
from scaffold.questions import Question, Questionnaire, cast


def ask(
    questionnaire: Questionnaire,
    question: Question,
    context: Mapping[str, Any],
    detected: Any = None,
) -> Any:
    """Ask QUESTION on the terminal, enforcing its validator.

    The default offered is the question's own, or the DETECTED value, marked so.
    """
    import questionary

    default = questionnaire.default(question, context) if detected is None else detected
    message = questionnaire.render(question.help, context) or question.name
    if detected is not None:
        message += f" ({_shown(detected)} detected)" if question.choices else " (detected)"
    if question.choices:
        choices = [
            questionary.Choice(c.label, value=c.value)
            for c in questionnaire.available(question, context)
        ]
        selected = next((c for c in choices if c.value == default), None)
        answer = questionary.select(message, choices=choices, default=selected).unsafe_ask()
    elif question.type == "bool":
        answer = questionary.confirm(message, default=bool(default)).unsafe_ask()
    else:

        def validate(text: str) -> bool | str:
            try:
                value = cast(question, text)
            except InvalidAnswer as error:
                return str(error)
            return questionnaire.error(question, value, context) or True

        answer = questionary.text(message, default=str(default), validate=validate).unsafe_ask()
    return cast(question, answer)


def conflict(path: str) -> str:
    """Ask what to do with PATH, which exists with other content: yes, no, all, quit or diff."""
    import questionary

    choices = [
        questionary.Choice("yes: overwrite it (git keeps your version)", value="yes"),
        questionary.Choice("no: keep yours, skip this file", value="no"),
        questionary.Choice("all: overwrite this and every other conflicting file", value="all"),
        questionary.Choice("quit: write nothing", value="quit"),
        questionary.Choice("diff: show the changes, then ask again", value="diff"),
    ]
    message = f"{path} exists with other content. Overwrite it?"
    return str(questionary.select(message, choices=choices, default=choices[1]).unsafe_ask())


def confirm(message: str) -> bool:
    """Ask a yes/no question that defaults to yes."""
    import questionary

    return bool(questionary.confirm(message, default=True).unsafe_ask())


def _shown(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)
