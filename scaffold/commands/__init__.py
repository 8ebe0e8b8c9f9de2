"""One module per command, and what `scaffold new` and `scaffold init` share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.questions import Questionnaire


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
