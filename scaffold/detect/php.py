"""PHP services: composer.json and its lock."""

from __future__ import annotations

from pathlib import Path

from scaffold.detect._common import Detection, json_object, kebab, version_in


def read(root: Path, found: Detection) -> None:
    """Record a Composer project's answers: name, PHP version, PHPUnit."""
    composer = json_object(root, "composer.json")
    name = str(composer.get("name", "")).split("/")[-1]
    found.found("project_name", kebab(name) if name else None, "composer.json")
    php = composer.get("require", {}).get("php")
    found.found("language_version", isinstance(php, str) and version_in(php), "require.php")
    if not (root / "composer.lock").is_file():
        found.warnings.append("no composer.lock: run `composer update --lock` and commit it")
    dev = composer.get("require-dev", {})
    found.found("dev_test_prod", "phpunit/phpunit" in dev, "phpunit in require-dev")
