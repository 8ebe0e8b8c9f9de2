"""The defaults table (templates/data/defaults.jinja): every version scaffold proposes is in it, is
the one the templates use, and is still supported today."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest

from scaffold.answers import resolve

from helpers import TEMPLATES, combinations, questionnaire, render

TODAY = datetime.datetime.now(tz=datetime.UTC).date()
ROLLING_REVIEW_DAYS = 90


DEFAULTS_MODULE: Any = (
    jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES))
    .get_template("data/defaults.jinja")
    .module
)
DEFAULTS: dict[str, dict[str, Any]] = DEFAULTS_MODULE.defaults
SUPPORT_ENDS: dict[str, dict[str, str]] = DEFAULTS_MODULE.support_ends


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_no_default_is_past_its_end_of_life(name: str) -> None:
    entry = DEFAULTS[name]
    reviewed = datetime.date.fromisoformat(entry["reviewed"])
    assert reviewed <= TODAY, f"{name}: reviewed in the future ({reviewed})"
    assert entry["source"], f"{name}: say where the end-of-life date comes from"
    if entry.get("rolling"):
        age = (TODAY - reviewed).days
        assert age <= ROLLING_REVIEW_DAYS, (
            f"{entry['what']} {entry['version']}: only the newest release is supported and the "
            f"default was last reviewed {age} days ago; move it to the current release and "
            "update `reviewed` in templates/data/defaults.jinja"
        )
        return
    eol = datetime.date.fromisoformat(entry["eol"])
    assert eol > TODAY, (
        f"{entry['what']} {entry['version']} reached its end of life on {eol}: move the default "
        "to a supported release in templates/data/defaults.jinja and copier.yml"
    )


def test_every_language_default_is_in_the_table() -> None:
    languages = next(q for q in questionnaire() if q.name == "language").choices
    for choice in languages:
        language = str(choice.value)
        answers = resolve(questionnaire(), {"language": language}, folder_name="svc", ask=None)
        assert language in DEFAULTS, f"no row for {language} in the defaults table"
        assert answers["language_version"] == DEFAULTS[language]["version"], language


def test_nginx_images_use_the_table_version(tmp_path: Path) -> None:
    static = next(a for a in combinations() if a["language"] == "static")
    dockerfile = (render(static, tmp_path / "svc") / "Dockerfile").read_text()
    image = f"nginxinc/nginx-unprivileged:{DEFAULTS['nginx']['version']}-alpine"
    assert f"FROM {image}" in dockerfile


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@pytest.mark.parametrize("name", sorted(SUPPORT_ENDS))
def test_support_ends_lists_only_releases_before_the_default(name: str) -> None:
    """The end-of-life dates `scaffold init` warns with: real dates of releases older than the
    default, whose own date is in the defaults table, not repeated here."""
    assert name in DEFAULTS, f"support_ends.{name}: no such language in the defaults table"
    default = DEFAULTS[name]
    for release, day in SUPPORT_ENDS[name].items():
        datetime.date.fromisoformat(day)
        assert _release(release) < _release(default["version"]), (
            f"support_ends.{name}: {release} is not older than the default {default['version']}"
        )
        assert day <= default["eol"], f"support_ends.{name}: {release} outlives the default"
