"""The questionary adapter: the only module that knows the prompt library."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scaffold.answers import GoBack
from scaffold.errors import InvalidAnswer
from scaffold.questions import Question, Questionnaire, cast
from scaffold.review import shown

if TYPE_CHECKING:
    import questionary


def ask(
    questionnaire: Questionnaire,
    question: Question,
    context: Mapping[str, Any],
    detected: Any = None,
    previous: Any = None,
) -> Any:
    """Ask QUESTION on the terminal until the answer passes its validator.

    The default offered is the answer given before (PREVIOUS), else the DETECTED value,
    marked "(detected: VALUE)", else the question's own. A refused answer is explained right
    under the prompt, in the question's words, and the question is asked again with the
    refused text to edit. Esc raises GoBack: the caller asks the previous question again.
    """
    import questionary

    default = next((v for v in (previous, detected) if v is not None), None)
    if default is None:
        default = questionnaire.default(question, context)
    message = questionnaire.render(question.help, context) or question.name
    if detected is not None:
        message += f" (detected: {shown(detected)})"
    if question.choices:
        choices = [
            questionary.Choice(c.label, value=c.value)
            for c in questionnaire.available(question, context)
        ]
        selected = next((c for c in choices if c.value == default), None)
        prompt = questionary.select(message, choices=choices, default=selected)
        return cast(question, _run(prompt))
    if question.type == "bool":
        return cast(question, _run(questionary.confirm(message, default=bool(default))))
    text = str(default)
    while True:
        text = str(_run(questionary.text(message, default=text)))
        try:
            value = cast(question, text)
            problem = questionnaire.error(question, value, context)
        except InvalidAnswer as error:
            problem = str(error)
        if not problem:
            return value
        from scaffold import console

        console.hint(in_words(question, problem))


def in_words(question: Question, message: str) -> str:
    """A validator's message as the prompt shows it: the answer key left out, as a sentence.

    `port must be a number from 1 to 65535` reads `Must be a number from 1 to 65535` right
    under "Port the service listens on"; messages already written as a sentence stay.
    """
    for prefix in (f"{question.name}: ", f"{question.name} "):
        if message.startswith(prefix):
            message = message.removeprefix(prefix)
            if message.startswith(("for ", "of ")):
                message = f"{question.name.replace('_', ' ')} {message}"
            break
    return message[:1].upper() + message[1:]


def _run(prompt: questionary.Question) -> Any:
    """Run PROMPT with Esc bound to going back one question."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _back(event: Any) -> None:
        event.app.exit(exception=GoBack())

    application = prompt.application
    application.key_bindings = merge_key_bindings(
        [application.key_bindings or KeyBindings(), bindings]
    )
    return prompt.unsafe_ask()


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


def change_or_quit(answers: Mapping[str, Any]) -> str | None:
    """After "No" at the summary: the key of the answer to change, or None to quit."""
    import questionary

    choices = [
        questionary.Choice("change an answer", value="change"),
        questionary.Choice("quit (prints the command that keeps your answers)", value="quit"),
    ]
    if questionary.select("What now?", choices=choices).unsafe_ask() != "change":
        return None
    keys = [key for key in answers if key != "include_app"]  # set by the command, not asked
    width = max(map(len, keys), default=0)
    listed = [questionary.Choice(f"{k:<{width}}  {shown(answers[k])}", value=k) for k in keys]
    return str(questionary.select("Which answer?", choices=listed).unsafe_ask())
