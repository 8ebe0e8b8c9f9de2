"""`scaffold init` on a Composer project picks the newest PHP its `require.php` admits, as it does
for Python's requires-python: a lower bound is not a request for the oldest release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold.detect import detect


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (">=8.2", "8.5"),
        ("^8.2", "8.5"),
        ("^7.4 || ^8.0", "8.5"),
        (">=8.1 <8.4", "8.3"),
        (">=8.1,<8.3", "8.2"),
        ("~8.2.0", "8.2"),
        ("8.3.*", "8.3"),
        ("~8.3", "8.5"),
        ("^8.4@dev", "8.5"),
    ],
)
def test_init_picks_the_newest_php_the_constraint_admits(
    constraint: str, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "composer.json").write_text(
        json.dumps({"name": "acme/quotes", "require": {"php": constraint}})
    )
    (tmp_path / "composer.lock").write_text("{}")
    found = detect(tmp_path, {})
    assert found.answers["language_version"] == expected
    assert found.sources["language_version"] == "require.php"
