"""Whether the runtime release a project pins still gets security fixes.

The dates live with the defaults in the template (data/defaults.jinja): the default of each
language with its end of life, and the releases before it in `support_ends`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Languages whose runtime is another's (a static site is built with Node.js).
_SAME_RUNTIME = {"static": "node"}
_NAMES = {"python": "Python", "node": "Node.js", "dotnet": ".NET", "php": "PHP", "ruby": "Ruby"}


def _tables(template: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The defaults table and support_ends of TEMPLATE's data/defaults.jinja; empty without it."""
    import jinja2

    if not (template / "data" / "defaults.jinja").is_file():
        return {}, {}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template), autoescape=False)
    module = env.get_template("data/defaults.jinja").module
    defaults = getattr(module, "defaults", {})
    ends = getattr(module, "support_ends", {})
    return dict(defaults), dict(ends)


def ended(
    template: Path,
    answers: Mapping[str, Any],
    pin: str | None,
    today: datetime.date | None = None,
) -> str | None:
    """One line saying the pinned runtime release has ended and what to do; None while supported.

    PIN says where the version was read ("package.json: engines.node"), None when it was not.
    """
    language = str(answers.get("language", ""))
    runtime = _SAME_RUNTIME.get(language, language)
    version = str(answers.get("language_version", ""))
    defaults, ends = _tables(template)
    newest = defaults.get(runtime, {})
    dates: dict[str, str] = dict(ends.get(runtime, {}))
    if newest.get("eol") and newest.get("version"):
        dates.setdefault(str(newest["version"]), str(newest["eol"]))
    parts = version.split(".")
    release = next((".".join(parts[:n]) for n in (2, 1) if ".".join(parts[:n]) in dates), None)
    if release is None:
        return None
    end = datetime.date.fromisoformat(dates[release])
    if end >= (today or datetime.datetime.now(tz=datetime.UTC).date()):
        return None
    name = _NAMES.get(runtime, runtime)
    target = str(newest.get("version", ""))
    update = f"run `scaffold update --data language_version={target}`"
    todo = f"raise the pin ({pin}) to {target} and {update}" if pin else update
    return (
        f"{name} {release} reached end of life on {end}: the image gets no security fixes; {todo}"
    )
