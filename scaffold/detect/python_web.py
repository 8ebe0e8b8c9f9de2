"""Traits of Python web projects that decide what the image must build or leave writable.

`django_static`: settings that set STATIC_ROOT need `manage.py collectstatic` at build time, with
the environment variables the settings cannot import without. `flask_instance`: an app that uses
its instance folder writes there (the tutorial's SQLite database). `django_media`: uploads land in
MEDIA_ROOT. Each becomes an answer; what cannot be answered becomes a warning.
"""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, text_of, walk

_SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']""")
_STATIC_ROOT = re.compile(r"^STATIC_ROOT\s*=\s*(?!None\b)\S", re.MULTILINE)
_MEDIA_ROOT = re.compile(
    r"""^MEDIA_ROOT\s*=\s*(?:BASE_DIR\s*/\s*|os\.path\.join\(\s*BASE_DIR\s*,\s*)["']([\w.-]+)["']""",
    re.MULTILINE,
)
_SQLITE_IN_ROOT = re.compile(
    r"""["']NAME["']\s*:\s*(?:BASE_DIR\s*/\s*|os\.path\.join\(\s*BASE_DIR\s*,\s*)["'][\w.-]+["']"""
)
# Environment reads that fail (or leave SECRET_KEY empty) when the variable is unset.
_REQUIRED_ENV = (
    re.compile(r"""os\.environ\[\s*["'](\w+)["']\s*\]"""),
    re.compile(r"""\benv(?:\.str)?\(\s*["'](\w+)["']\s*\)"""),  # django-environ, no default
    re.compile(
        r"""^SECRET_KEY\s*=\s*os\.(?:environ\.get|getenv)\(\s*["'](\w+)["']\s*\)""", re.MULTILINE
    ),
)


def read(root: Path, runtime: set[str], modules: list[Path], found: Detection) -> None:
    """Record collectstatic, build_env and writable_paths for a Django or Flask project."""
    writable: list[str] = []
    if "django" in runtime and (root / "manage.py").is_file():
        _django(root, runtime, writable, found)
    if {"flask", "quart"} & runtime and _flask_instance(root, modules):
        writable.append("instance")
    where = "Django MEDIA_ROOT" if "django" in runtime else "Flask instance folder"
    found.found("writable_paths", " ".join(writable), where)


def _settings_texts(root: Path) -> list[str]:
    """The settings module manage.py names (every module of it, when it is a package)."""
    match = _SETTINGS_MODULE.search(text_of(root / "manage.py"))
    candidates: list[Path] = []
    if match:
        path = root.joinpath(*match.group(1).split("."))
        candidates = [path.with_suffix(".py")]
        if path.is_dir():
            candidates = sorted(path.glob("*.py"))
        elif path.parent.name and (path.parent / "__init__.py").is_file():
            candidates += sorted(p for p in path.parent.glob("*.py") if p.stem.startswith("base"))
    else:
        candidates = [p for p in walk(root, depth=2) if p.name == "settings.py"]
    return [text for text in map(text_of, candidates) if text]


def _django(root: Path, runtime: set[str], writable: list[str], found: Detection) -> None:
    texts = _settings_texts(root)
    settings = "\n".join(texts)
    if _STATIC_ROOT.search(settings):
        found.found("collectstatic", True, "STATIC_ROOT in the Django settings")
        names = sorted({m for rule in _REQUIRED_ENV for m in rule.findall(settings)})
        found.found("build_env", " ".join(names), "settings read without a default")
        if "whitenoise" not in runtime:
            found.warnings.append(
                "collectstatic gathers the static files into STATIC_ROOT, but gunicorn does not "
                "serve them: add whitenoise (its middleware) or serve STATIC_ROOT from your proxy"
            )
    elif texts:
        found.found("collectstatic", False, "no STATIC_ROOT in the Django settings")
    media = _MEDIA_ROOT.search(settings)
    if media:
        writable.append(media.group(1))
    if "django.db.backends.sqlite3" in settings and _SQLITE_IN_ROOT.search(settings):
        found.warnings.append(
            "the SQLite database is in the project folder, read-only in the image: point "
            "DATABASES NAME into a folder of its own and add that folder to writable_paths"
        )


def _flask_instance(root: Path, modules: list[Path]) -> bool:
    """The app uses its instance folder (Flask's factory pattern), or the project has one."""
    if (root / "instance").is_dir():
        return True
    return any("instance_path" in text_of(path) for path in modules)
