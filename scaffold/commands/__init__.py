"""One module per command, and what `scaffold new` and `scaffold init` share."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import ScaffoldError
from scaffold.questions import Questionnaire

if TYPE_CHECKING:
    from scaffold.answers import Asker


@dataclass
class RenderOptions:
    """What `scaffold new` or `scaffold init` was asked to do."""

    target: Path
    data: list[str] = field(default_factory=list)
    answers_file: Path | None = None
    defaults: bool = False
    force: bool = False
    dry_run: bool = False
    source: str | None = None

    def given(self, questionnaire: Questionnaire) -> dict[str, Any]:
        """The answers from --answers-file, then --data (which wins), checked against the keys."""
        from scaffold import answers, questions

        given: dict[str, Any] = {}
        if self.answers_file is not None:
            given.update(answers.read_answers_file(self.answers_file, questionnaire))
        given.update(questions.parse_data(self.data, questionnaire))
        return given

    def asker(self, *, answered: bool, hint: str = "") -> Asker | None:
        """The prompt function when questions are asked on a terminal, else None.

        Without a terminal the answers must come from --defaults or, when ANSWERED, from
        --data / --answers-file; HINT says what --defaults takes.
        """
        interactive = sys.stdin.isatty()
        if not interactive and not (self.defaults or answered):
            raise ScaffoldError(
                f"no terminal to ask questions on: pass --defaults{hint}, --data KEY=VALUE or "
                "--answers-file"
            )
        if not interactive or self.defaults:
            return None
        from scaffold import prompts  # questionary is slow to import; only load it to ask

        return prompts.ask


def current_umask() -> int:
    """The process umask (reading it means setting it; it is set straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
