"""Command line: parses arguments, runs one command, maps errors to exit codes.

Exit codes: 0 success, 1 user error, 2 usage error, 130 interrupted, 141 stdout closed
before scaffold could say everything (what it wrote on disk is complete).
Only argparse is imported at start-up, so `scaffold --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command killed by it


def version() -> str:
    """The scaffold version: written into the wheel, or pyproject.toml's in a source checkout."""
    try:
        from scaffold._version import __version__
    except ImportError:
        from scaffold._release import version_of

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        return version_of(pyproject.read_text(encoding="utf-8")) or "0+unknown"
    return str(__version__)


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        sys.stdout.write(f"scaffold {version()}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scaffold",
        description="Generate the Docker setup of a service: multi-stage Dockerfile with "
        "dev/test/prod targets, .dockerignore, compose file and CI workflow; keep it current "
        "with `scaffold update`.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    new = commands.add_parser(
        "new",
        help="create a new service folder",
        description="Ask the template's questions (or take them from --data/--answers-file), "
        "then create DIR with the app skeleton and its Docker setup.",
    )
    new.add_argument("directory", metavar="DIR", type=Path, help="folder to create")
    _add_answers(new, defaults="ask nothing; unanswered questions take defaults")
    new.add_argument("--force", action="store_true", help="write into DIR even if it has files")
    new.add_argument("--dry-run", action="store_true", help="list the files that would be created")

    init = commands.add_parser(
        "init",
        help="add the Docker setup to an existing project",
        description="Detect what the project in DIR is built with, ask what cannot be read "
        "(detected answers are the defaults), then add the Dockerfile, .dockerignore, compose "
        "file and CI files. An existing file is never overwritten silently: a terminal asks "
        "for each conflict; without one, --force is needed.",
    )
    init.add_argument(
        "directory", metavar="DIR", type=Path, nargs="?", default=Path(), help="project folder"
    )
    _add_answers(init, defaults="ask nothing; take the detected answers, else the defaults")
    init.add_argument(
        "--force",
        action="store_true",
        help="overwrite files that differ, even ones git could not give back",
    )
    init.add_argument(
        "--dry-run", action="store_true", help="print what would happen, with diffs; write nothing"
    )

    template = commands.add_parser(
        "template",
        help="work with scaffold's template",
        description="Start your organisation's own template from scaffold's.",
    )
    template_commands = template.add_subparsers(
        dest="template_command", metavar="ACTION", required=True
    )
    export = template_commands.add_parser(
        "export",
        help="write scaffold's template as a git repository with its release tags",
        description="Write scaffold's template to DIR as a git repository (branch main, one "
        "tag per release): fork it, tag your releases, then pass it to --template.",
    )
    export.add_argument("directory", metavar="DIR", type=Path, help="folder to create")

    update = commands.add_parser(
        "update",
        help="bring a service up to the newest template",
        description="Re-render the service with the newest template release, keeping your "
        "edits. Exits 1 and lists the files when a change conflicts with an edit.",
    )
    update.add_argument(
        "directory", metavar="DIR", type=Path, nargs="?", default=Path(), help="service folder"
    )
    _add_data(update)
    update.add_argument(
        "--defaults",
        action="store_true",
        help="ask nothing: keep previous answers, give new questions their defaults",
    )
    update.add_argument("--vcs-ref", metavar="VERSION", help="template release to update to")
    update.add_argument(
        "--ask",
        action="append",
        default=[],
        metavar="KEY",
        help="ask this recorded answer again (repeatable)",
    )
    update.add_argument("--reconfigure", action="store_true", help="ask every question again")
    update.add_argument(
        "--check",
        action="store_true",
        help="exit 0 when on the newest release, 2 when a newer one is available; change nothing",
    )
    update.add_argument(
        "--dry-run", action="store_true", help="show the files that would change and the diff"
    )
    update.add_argument(
        "--force",
        action="store_true",
        help="allow an update that deletes files holding your committed changes",
    )
    for command in [*commands.choices.values(), export]:
        _add_debug(command)
    return parser


def _add_debug(parser: argparse.ArgumentParser) -> None:
    """--debug after the subcommand too, as every "rerun with --debug" message invites."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks of failures",
    )


def _add_answers(parser: argparse.ArgumentParser, *, defaults: str) -> None:
    _add_data(parser)
    parser.add_argument(
        "--answers-file", type=Path, metavar="FILE", help="YAML file of answers (same keys)"
    )
    parser.add_argument("--defaults", action="store_true", help=defaults)
    parser.add_argument(
        "--template",
        metavar="SOURCE",
        help="your own template (git URL, local repository or bundle) instead of scaffold's; "
        "its newest release tag is used and recorded",
    )


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="answer a question (repeatable), e.g. --data language=node",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run scaffold with ARGV; return the process exit code."""
    args = _parser().parse_args(argv)
    from scaffold import console, interrupts
    from scaffold.errors import ScaffoldError

    try:
        with interrupts.watched():
            return _dispatch(args)
    except ScaffoldError as error:
        if args.debug:
            raise
        console.error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        console.error("interrupted: nothing was written")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away: nothing left to tell it
        console.drop_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as error:  # a bug: say so in one line, keep the traceback for --debug
        if args.debug:
            raise
        console.error(f"unexpected {type(error).__name__}: {error} (rerun with --debug)")
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in {"new", "init"}:
        from scaffold.commands import RenderOptions

        options = RenderOptions(
            target=args.directory,
            data=args.data,
            answers_file=args.answers_file,
            defaults=args.defaults,
            force=args.force,
            dry_run=args.dry_run,
            source=args.template,
        )
        if args.command == "new":
            from scaffold.commands import new

            return new.run(options, version())
        from scaffold.commands import init

        return init.run(options, version())
    if args.command == "template":
        from scaffold.commands import export

        return export.run(args.directory)
    from scaffold.commands import update

    return update.run(
        update.UpdateOptions(
            target=args.directory,
            data=args.data,
            defaults=args.defaults,
            vcs_ref=args.vcs_ref,
            ask=args.ask,
            reconfigure=args.reconfigure,
            check=args.check,
            dry_run=args.dry_run,
            force=args.force,
        )
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
