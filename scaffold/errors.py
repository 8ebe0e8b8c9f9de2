"""The one family of errors scaffold raises. Only the CLI turns them into output and exit codes."""

from __future__ import annotations


class ScaffoldError(Exception):
    """A failure the user can act on; its message is printed as one line, without a traceback."""

    exit_code = 1


class UsageError(ScaffoldError):
    """The command line itself is wrong (exit code 2, like argparse)."""

    exit_code = 2


class InvalidAnswer(ScaffoldError):
    """An answer failed the validation that copier.yml defines for its question."""


class TargetNotEmpty(ScaffoldError):
    """`scaffold new` was pointed at a directory that already holds files."""


class ToolMissing(ScaffoldError):
    """A program scaffold needs to run (git, a package manager) is not installed."""


class UpdateConflict(ScaffoldError):
    """`scaffold update` merged the template but left conflicts for the user to resolve."""

    def __init__(self, files: list[str]) -> None:
        """Name the conflicted files in the message."""
        self.files = files
        super().__init__(
            f"update left conflicts in {', '.join(files)}: resolve the <<<<<<< markers "
            "(or .rej files), then commit"
        )
