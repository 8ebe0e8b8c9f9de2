"""The questionary adapter: the only module that knows the prompt library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scaffold.errors import InvalidAnswer
from scaffold.questions import Question, Questionnaire, cast


def ask(questionnaire: Questionnaire, question: Question, context: Mapping[str, Any]) -> Any:
    """Ask QUESTION on the terminal, offering its default and enforcing its validator."""
    import questionary

    default = questionnaire.default(question, context)
    message = questionnaire.render(question.help, context) or question.name
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


def confirm(message: str) -> bool:
    """Ask a yes/no question that defaults to yes."""
    import questionary

    return bool(questionary.confirm(message, default=True).unsafe_ask())
