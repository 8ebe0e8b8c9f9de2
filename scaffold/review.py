"""What `scaffold new` and `scaffold init` show before writing, and how answers are never lost.

The summary lists every answer (with where `init` read it from) and warns about values that
are only placeholders. "No" at the summary offers to change one answer or quit, and whenever
the user stops after answering, the `scaffold new DIR --data ...` line that replays the
answers is printed.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from scaffold import console

#: Answer keys whose default is a placeholder that cannot be pushed to, and how to spot one.
_PLACEHOLDER = re.compile(
    r"(^|[/.@])(example|example-project)([/.]|$)|(^|[/:])123456789012([/:.]|$)"
)
_PLACEHOLDER_KEYS = (
    "image",
    "registry_host",
    "acr_login_server",
    "ecr_role_arn",
    "gar_project",
    "gar_service_account",
    "gar_workload_identity_provider",
)


def placeholders(answers: Mapping[str, Any]) -> list[str]:
    """One warning naming every answer that still holds an example value, or none."""
    if answers.get("ci", "none") == "none":
        return []  # nothing is pushed: the image name is only a local tag
    found = [
        f"{key}={answers[key]}"
        for key in _PLACEHOLDER_KEYS
        if key in answers and _PLACEHOLDER.search(str(answers[key]))
    ]
    if not found:
        return []
    return [f"placeholder, CI cannot push with it: {', '.join(found)}; set your own"]


def shown(value: Any) -> str:
    """VALUE as the summary and the replay line show it (yes/no for booleans)."""
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def show(title: str, answers: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> None:
    """Print the answers (and, for init, where each was read), then placeholder warnings."""
    rows = []
    for key, value in answers.items():
        if key == "include_app":
            continue  # set by the command, not asked
        where = (sources or {}).get(key)
        rows.append((key, shown(value), f"({where})" if where else ""))
    console.summary(title, rows, placeholders(answers))


def replay(command: str, target: Path, answers: Mapping[str, Any], source: str | None) -> str:
    """The `scaffold COMMAND DIR --data k=v ...` line that gives the same answers again."""
    words = ["scaffold", command, str(target)]
    if source:
        words += ["--template", source]
    for key, value in answers.items():
        if key != "include_app":
            words += ["--data", f"{key}={shown(value)}"]
    return shlex.join(words)


@contextlib.contextmanager
def kept(line: Callable[[], str], *, interactive: bool) -> Iterator[None]:
    """On a terminal, print the replay LINE when the block stops on an error or Ctrl-C."""
    try:
        yield
    except (Exception, KeyboardInterrupt):
        if interactive:
            say_replay(line())
        raise


def say_replay(line: str) -> None:
    """Print the line that reproduces the answers, for a user who stopped after answering."""
    console.info(f"\nYour answers are kept in this command; run it to start again:\n  {line}")


Revise = Callable[[str, dict[str, Any]], dict[str, Any]]


def confirm(
    title: str,
    answers: dict[str, Any],
    revise: Revise,
    *,
    question: str,
    sources: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """Show the summary and ask QUESTION; on "No", change one answer (REVISE) or quit (None)."""
    from scaffold import prompts

    while True:
        show(title, answers, sources)
        if prompts.confirm(question):
            return answers
        key = prompts.change_or_quit(
            {k: shown(v) for k, v in answers.items() if k != "include_app"}
        )
        if key is None:
            return None
        answers = revise(key, answers)
