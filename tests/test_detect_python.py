"""Detection of what an existing Python project needs from its image: a Python its pinned wheels
install on, Django's static files, the folders it writes, the test runner wherever declared."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from helpers import dockerfile_instructions, hadolint_findings, read_answers, run_scaffold

LOCKED_WHEEL = (
    '{{ url = "https://files.pythonhosted.org/packages/{name}", hash = "sha256:{digest}" }}'
)


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _init(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_scaffold("init", project, "--defaults", *args, home=home)
    assert result.returncode == 0, result.stderr
    return result


def _uv_lock(*packages: tuple[str, str, list[str]]) -> str:
    """A uv.lock whose packages list the given wheel files."""
    parts = ['version = 1\nrevision = 2\nrequires-python = ">=3.10"\n']
    for name, version, wheels in packages:
        lines = ",\n".join(
            "    " + LOCKED_WHEEL.format(name=w, digest=f"{i:064x}") for i, w in enumerate(wheels)
        )
        parts.append(
            f'\n[[package]]\nname = "{name}"\nversion = "{version}"\n'
            f'source = {{ registry = "https://pypi.org/simple" }}\nwheels = [\n{lines},\n]\n'
        )
    return "".join(parts)


def _linux(name: str, version: str, minors: range, abi: str = "") -> list[str]:
    tag = "manylinux_2_17_x86_64.manylinux2014_x86_64"
    return [f"{name}-{version}-cp3{m}-{abi or f'cp3{m}'}-{tag}.whl" for m in minors]


PYPROJECT = """[project]
name = "quotes"
version = "1.0.0"
requires-python = ">=3.10"
dependencies = ["fastapi", "uvicorn", "pydantic-core", "cryptography"]
"""


def test_the_newest_python_every_locked_binary_wheel_installs_on_is_chosen(
    tmp_path: Path, home: Path
) -> None:
    project = _project(
        tmp_path / "quotes",
        {
            "pyproject.toml": PYPROJECT,
            "uv.lock": _uv_lock(
                ("fastapi", "0.111.0", ["fastapi-0.111.0-py3-none-any.whl"]),
                # Wheels up to 3.13 (a win_amd64 wheel for 3.14 does not count on Linux).
                (
                    "pydantic-core",
                    "2.27.2",
                    [
                        *_linux("pydantic_core", "2.27.2", range(9, 14)),
                        "pydantic_core-2.27.2-cp314-cp314-win_amd64.whl",
                    ],
                ),
                # abi3 from 3.7: installs on every later Python.
                ("cryptography", "43.0.0", _linux("cryptography", "43.0.0", range(7, 8), "abi3")),
            ),
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = _init(project, home, "--dry-run")
    assert re.search(
        r"language_version +3\.13 +\(uv\.lock: pydantic-core 2\.27\.2 \(wheels for 3\.9-3\.13\)\)",
        result.stdout,
    ), result.stdout
    assert "cryptography" not in result.stdout.split("create", 1)[0]


def test_a_version_the_project_names_is_kept_and_the_pins_without_wheels_named(
    tmp_path: Path, home: Path
) -> None:
    project = _project(
        tmp_path / "quotes",
        {
            "pyproject.toml": PYPROJECT,
            ".python-version": "3.14\n",
            "uv.lock": _uv_lock(("numpy", "1.26.4", _linux("numpy", "1.26.4", range(9, 13)))),
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    result = _init(project, home)
    assert read_answers(project)["language_version"] == "3.14"
    assert (
        "uv.lock pins numpy 1.26.4 (wheels for 3.9-3.12): none for Python 3.14 (.python-version); "
        "update those pins or the version"
    ) in result.stdout


def test_compiled_pins_in_requirements_txt_are_named_in_a_warning(
    tmp_path: Path, home: Path
) -> None:
    project = _project(
        tmp_path / "orders",
        {
            "requirements.txt": "Django==4.2.11\npsycopg2-binary==2.9.9\nnumpy==1.26.4\n",
            "orders/wsgi.py": "application = object()\n",
        },
    )
    result = _init(project, home)
    assert read_answers(project)["language_version"] == "3.14"
    assert (
        "requirements.txt pins psycopg2-binary==2.9.9, numpy==1.26.4, compiled: check they have "
        "wheels for Python 3.14, else name the version in .python-version"
    ) in result.stdout
    quiet = _project(tmp_path / "quiet", {"requirements.txt": "Django==4.2.11\n"})
    assert "compiled" not in _init(quiet, home).stdout


SETTINGS = """import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
STATIC_URL = "static/"
{static_root}
"""
MANAGE = """import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""


def _django(root: Path, static_root: str, requirements: str = "Django==5.2.8\n") -> Path:
    return _project(
        root,
        {
            "requirements.txt": requirements,
            "manage.py": MANAGE,
            "shop/__init__.py": "",
            "shop/settings.py": SETTINGS.format(static_root=static_root),
            "shop/wsgi.py": "from django.core.wsgi import get_wsgi_application\n\n"
            "application = get_wsgi_application()\n",
        },
    )


def test_a_secret_the_settings_need_gets_a_build_only_dummy_never_an_env(
    tmp_path: Path, home: Path
) -> None:
    project = _django(tmp_path / "shop", 'STATIC_ROOT = BASE_DIR / "staticfiles"')
    result = _init(project, home)
    answers = read_answers(project)
    assert answers["collectstatic"] is True
    assert answers["build_env"] == "DJANGO_SECRET_KEY"
    dockerfile = (project / "Dockerfile").read_text()
    runs = [args for op, args in dockerfile_instructions(dockerfile) if op == "RUN"]
    assert (
        "DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput" in runs
    )
    envs = " ".join(
        args for op, args in dockerfile_instructions(dockerfile) if op in {"ENV", "ARG"}
    )
    assert "SECRET" not in envs
    prod = dockerfile.split("AS prod", 1)[1]
    assert "COPY --from=static /app /app" in prod and "COPY . ." not in prod
    assert "add whitenoise" in result.stdout, "no WhiteNoise: serving the files is the user's"
    assert hadolint_findings(project) == ""


@pytest.mark.parametrize("static_root", ["", "STATIC_ROOT = None"])
def test_django_settings_without_a_static_root_collect_nothing(
    static_root: str, tmp_path: Path, home: Path
) -> None:
    project = _django(tmp_path / "shop", static_root, "Django==5.2.8\nwhitenoise==6.7.0\n")
    _init(project, home)
    assert read_answers(project)["collectstatic"] is False
    assert "collectstatic" not in (project / "Dockerfile").read_text()


def test_writable_paths_from_data_are_validated_and_owned_by_the_uid(
    tmp_path: Path, home: Path
) -> None:
    project = _django(tmp_path / "shop", "")
    bad = run_scaffold("init", project, "--defaults", "--data", "writable_paths=../etc", home=home)
    assert bad.returncode == 1 and "writable_paths must be folders separated" in bad.stderr
    assert not (project / "Dockerfile").exists()
    _init(project, home, "--data", "writable_paths=data/ var/uploads", "--data", "uid=4242")
    dockerfile = (project / "Dockerfile").read_text()
    assert "RUN mkdir -p /writable/data /writable/var/uploads" in dockerfile
    assert "COPY --from=writable --chown=4242:4242 /writable/ /app/" in dockerfile
    compose = (project / "compose.yaml").read_text()
    assert "- data:/app/data" in compose and "- var-uploads:/app/var/uploads" in compose
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert {"/data", "/var/uploads"} <= set(ignored)


def test_pytest_in_uv_dev_dependencies_gets_a_test_stage_with_every_group(
    tmp_path: Path, home: Path
) -> None:
    project = _project(
        tmp_path / "quotes",
        {
            "pyproject.toml": PYPROJECT + '\n[tool.uv]\ndev-dependencies = ["pytest>=8"]\n',
            "uv.lock": _uv_lock(("fastapi", "0.111.0", ["fastapi-0.111.0-py3-none-any.whl"])),
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        },
    )
    _init(project, home)
    assert read_answers(project)["dev_test_prod"] is True
    assert "uv sync --locked --all-extras --all-groups" in (project / "Dockerfile").read_text()
