"""pip services lock every dependency with hashes: requirements.in is what the team edits,
requirements.txt is compiled from it by `scaffold new`, and the image refuses anything else."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from scaffold import answers as answers_mod
from scaffold import lockfiles

from engine import Engine
from helpers import questionnaire, read_answers, render, run_scaffold
from kit import Kit, base_images

# A requirement line of a compiled file: name==version, maybe a marker, then its hashes.
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==\S+( ;[^\\]+)? \\$")


def _answers(**given: Any) -> dict[str, Any]:
    """A python service's complete answers, as `scaffold new --defaults` resolves them."""
    return answers_mod.resolve(
        questionnaire(),
        {"language": "python", **given},
        folder_name="svc",
        ask=None,
        new_service=True,
    )


def _pins_without_hashes(text: str) -> list[str]:
    lines = text.splitlines()
    return [
        line
        for index, line in enumerate(lines)
        if _PIN.match(line)
        and not (index + 1 < len(lines) and lines[index + 1].strip().startswith("--hash=sha256:"))
    ]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    result = run_scaffold(
        "new", "svc", "--defaults", "--data", "language=python", "--data", "package_manager=pip",
        "--data", "serving=uvicorn", home=home,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return home / "svc"


def test_a_new_pip_service_compiles_every_dependency_with_its_hashes(service: Path) -> None:
    assert read_answers(service)["pip_hashes"] is True
    runtime = (service / "requirements.txt").read_text()
    dev = (service / "requirements-dev.txt").read_text()
    # The whole tree, not only what requirements.in names: FastAPI brings Starlette and Pydantic.
    assert {"fastapi", "uvicorn", "starlette", "pydantic"} <= set(
        re.findall(r"^([a-z-]+)==", runtime, re.M)
    )
    assert "pytest==" in dev and "fastapi==" in dev  # the dev tools with the runtime tree
    for text in (runtime, dev):
        assert not _pins_without_hashes(text)
        assert "--index-url" not in text and "--find-links" not in text  # no machine's index
    # Resolved for the image's Python, whatever Python ran scaffold.
    assert "--python-version 3.14" in runtime.splitlines()[1]
    assert "fastapi==" in (service / "requirements.in").read_text()
    dockerfile = (service / "Dockerfile").read_text()
    assert dockerfile.count("install --require-hashes --requirement requirements") == 2
    # The README's refresh command is the one the lock step ran (uv records it in the header).
    readme = (service / "README.md").read_text()
    assert runtime.splitlines()[1].removeprefix("#").strip() in readme


def test_renovate_reruns_the_compile(tmp_path: Path) -> None:
    service = render(_answers(package_manager="pip", ci="gitlab"), tmp_path / "svc")
    renovate = json.loads((service / "renovate.json").read_text())
    assert renovate["pip-compile"]["managerFilePatterns"] == ["/(^|/)requirements(-dev)?\\.txt$/"]
    assert renovate["pip_requirements"] == {"enabled": False}
    assert renovate["packageRules"][-1]["matchManagers"] == ["pip-compile"]


def test_a_service_from_before_pip_hashes_keeps_its_requirements_txt(tmp_path: Path) -> None:
    """An answers file without pip_hashes (every release before 0.7.0) renders what it had."""
    service = render(_answers(package_manager="pip", pip_hashes=False), tmp_path / "svc")
    assert (service / "requirements.txt").read_text().startswith("# Runtime dependencies, pinned")
    assert not (service / "requirements.in").exists()
    assert "--require-hashes" not in (service / "Dockerfile").read_text()
    renovate = render(
        _answers(package_manager="pip", pip_hashes=False, ci="gitlab"), tmp_path / "g"
    )
    assert "pip-compile" not in (renovate / "renovate.json").read_text()


def test_without_uv_the_error_says_how_to_do_without_hashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lockfiles, "_which", lambda program: None)
    message = lockfiles.missing(lockfiles.PIP_HASHES)
    assert message == (
        "uv is needed to create requirements.txt and is not installed: pip install uv, or answer "
        "no to pip_hashes (--data pip_hashes=false) for a requirements.txt you pin"
    )


def test_only_scaffold_new_defaults_to_hashes() -> None:
    """Its lock step compiles requirements.txt: plain `copier copy` and updates default to no."""
    given = {"language": "python", "package_manager": "pip"}
    for new_service in (True, False):
        resolved = answers_mod.resolve(
            questionnaire(), given, folder_name="svc", ask=None, new_service=new_service
        )
        assert resolved["pip_hashes"] is new_service


@pytest.mark.engine
def test_the_image_refuses_a_package_whose_file_is_not_the_locked_one(
    service: Path, engine: Engine, kit: Kit | None, tmp_path: Path
) -> None:
    """What --require-hashes is for: a release whose files differ from the locked hashes (a
    replaced upload, a tampered mirror) stops the build."""
    copy = tmp_path / "svc"
    shutil.copytree(service, copy)
    if kit is not None:
        for image in sorted(base_images((copy / "Dockerfile").read_text())):
            kit.provide(image)
    locked = (copy / "requirements.txt").read_text()
    block = re.search(r"^starlette==\S+ \\\n(?:    --hash=sha256:[0-9a-f]{64}.*\n)+", locked, re.M)
    assert block, "starlette is not locked with hashes"
    other = re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block.group(0))
    (copy / "requirements.txt").write_text(locked.replace(block.group(0), other))
    result = engine.run("build", "--target", "deps", str(copy), check=False)
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr, result.stderr[-2000:]
    (copy / "requirements.txt").write_text(locked)
    engine.run("build", "--target", "deps", str(copy))  # and the locked file builds
