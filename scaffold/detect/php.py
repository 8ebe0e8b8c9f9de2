"""PHP services: composer.json and its lock."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, json_object, kebab, version_in

#: PHP release lines scaffold can build, newest first (the first is copier.yml's default).
_PHP_VERSIONS = ["8.5", "8.4", "8.3", "8.2", "8.1", "8.0", "7.4"]


def read(root: Path, found: Detection) -> None:
    """Record a Composer project's answers: name, PHP version, PHPUnit."""
    composer = json_object(root, "composer.json")
    name = str(composer.get("name", "")).split("/")[-1]
    found.found("project_name", kebab(name) if name else None, "composer.json")
    php = composer.get("require", {}).get("php")
    if isinstance(php, str):
        found.found("language_version", _php_for(php) or version_in(php), "require.php")
    if not (root / "composer.lock").is_file():
        found.warnings.append("no composer.lock: run `composer update --lock` and commit it")
    dev = composer.get("require-dev", {})
    found.found("dev_test_prod", "phpunit/phpunit" in dev, "phpunit in require-dev")


def _php_for(constraint: str) -> str | None:
    """The newest PHP line a Composer version CONSTRAINT admits, or None when it cannot be read.

    ">=8.2" and "^8.2" give "8.5", "~8.2.0" gives "8.2", ">=8.1 <8.4" gives "8.3".
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    try:
        alternatives = [
            SpecifierSet(",".join(_pep440(part) for part in re.split(r"[\s,]+", alt.strip())))
            for alt in re.split(r"\s*\|\|?\s*", constraint.strip())
        ]
    except (InvalidSpecifier, ValueError):
        return None
    for line in _PHP_VERSIONS:
        patches = [Version(f"{line}.0"), Version(f"{line}.99")]
        if any(spec.contains(v) for spec in alternatives for v in patches):
            return line
    return None


def _pep440(part: str) -> str:
    """One Composer constraint ("^8.2", "~8.2.1", "8.2.*", ">=8.1", "8.2") as a PEP 440 one."""
    match = re.fullmatch(r"(\^|~|>=|<=|>|<|!=|==|=)?v?(\d+(?:\.(?:\d+|\*))*)(?:@\w+)?", part)
    if not match:
        raise ValueError(part)
    operator, version = match.group(1) or "", match.group(2)
    numbers = [int(n) for n in version.split(".") if n != "*"]
    if operator == "^":
        return f">={version},<{numbers[0] + 1}"
    if operator == "~":
        upper = [numbers[0] + 1] if len(numbers) < 3 else [numbers[0], numbers[1] + 1]
        return f">={version},<{'.'.join(map(str, upper))}"
    if operator in {"", "=", "=="}:
        return f"=={'.'.join(map(str, numbers))}.*"
    return f"{operator}{version}"
