"""Shared fixtures: isolated homes, and every template combination rendered once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from engine import Engine, EngineUnavailable, connect
from generated import ENGINE_COMBOS, Service, generate
from helpers import combinations, combo_id, pipeline_id, pipelines, render
from kit import Kit, base_images

# Property tests: bounded by default; `pytest --hypothesis-profile long` for a longer search.
settings.register_profile("bounded", max_examples=60, deadline=None)
settings.register_profile("long", max_examples=1000, deadline=None)
settings.load_profile("bounded")


def pytest_report_header() -> list[str]:
    from engine import not_buildable_here

    left_out: dict[str, str] = {}
    for answers in combinations():
        why = not_buildable_here(answers)
        if why:
            name = f"{answers['language']}/{answers['serving']}/{answers['package_manager']}"
            left_out.setdefault(name, why)
    return [f"engine tests leave out {name}: {why}" for name, why in left_out.items()]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/scenarios/*/expected from the current template",
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh HOME that has never run scaffold."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path]]:
    """Every valid combination of choice answers, rendered with plain Copier."""
    root = tmp_path_factory.mktemp("combos")
    result = {}
    for answers in combinations():
        key = combo_id(answers)
        result[key] = (answers, render(answers, root / key))
    return result


@pytest.fixture(scope="session")
def rendered_pipelines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every valid combination of the publishing answers, rendered for the default service."""
    root = tmp_path_factory.mktemp("pipelines")
    return {pipeline_id(a): render(a, root / pipeline_id(a)) for a in pipelines()}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "combo" in metafunc.fixturenames:
        ids = [combo_id(a) for a in combinations()]
        metafunc.parametrize("combo", ids, ids=ids)
    if "pipeline" in metafunc.fixturenames:
        ids = [pipeline_id(a) for a in pipelines()]
        metafunc.parametrize("pipeline", ids, ids=ids)
    for ci in ("github", "gitlab"):
        if f"{ci}_pipeline" in metafunc.fixturenames:
            ids = [pipeline_id(a) for a in pipelines() if a["ci"] == ci]
            metafunc.parametrize(f"{ci}_pipeline", ids, ids=ids)


@pytest.fixture
def combo_dir(combo: str, rendered: dict[str, tuple[dict[str, Any], Path]]) -> Iterator[Path]:
    yield rendered[combo][1]


@pytest.fixture
def pipeline_dir(pipeline: str, rendered_pipelines: dict[str, Path]) -> Iterator[Path]:
    yield rendered_pipelines[pipeline]


@pytest.fixture(scope="session")
def say(request: pytest.FixtureRequest) -> Any:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        """Print LINE in the run's output now, even while a test's output is being captured."""
        if reporter and capture:
            with capture.global_and_fixture_disabled():
                reporter.write_line(line)

    return write


@pytest.fixture(scope="session")
def engine() -> Engine:
    found = _ENGINE.get("engine")
    if found is None:
        pytest.skip(f"no Docker engine: {_ENGINE.get('error')}")
    return found  # stopped in pytest_sessionfinish, after every test that used it


@pytest.fixture(scope="session")
def kit(engine: Engine, say: Any) -> Kit | None:
    if os.environ.get("SCAFFOLD_REAL_BASES") == "1":
        say("SCAFFOLD_REAL_BASES=1: base images are pulled from their registries")
        return None
    say("base images are local stand-ins built from Debian forky's packages (tests/kit.py)")
    return Kit(engine, say)


@pytest.fixture(scope="session")
def services(
    engine: Engine, kit: Kit | None, tmp_path_factory: pytest.TempPathFactory, say: Any
) -> Iterator[dict[str, Service]]:
    """Services generated and built on first use, shared by the tests of a combination."""
    root = tmp_path_factory.mktemp("services")
    home = tmp_path_factory.mktemp("home")
    env = kit.python_on_path(tmp_path_factory.mktemp("bin")) if kit is not None else None

    class Lazy(dict[str, Service]):
        def __missing__(self, name: str) -> Service:
            answers = ENGINE_COMBOS[name]
            path = generate(name, answers, root, home, env)
            dockerfile = (path / "Dockerfile").read_text()
            if dockerfile.startswith("# syntax="):
                say(f"{name}: removed the `# syntax=` line (BuildKit cannot pull its frontend)")
                (path / "Dockerfile").write_text(dockerfile.split("\n", 1)[1])
            if kit is not None:
                for image in sorted(base_images(dockerfile)):
                    kit.provide(image)
            prod = f"scaffold-e2e/{name}:prod"
            engine.run("build", "--target", "prod", "--tag", prod, str(path))
            self[name] = service = Service(name, answers, path, prod)
            return service

    lazy = Lazy()
    yield lazy
    for service in lazy.values():
        engine.run("rmi", "--force", service.prod, check=False)


_ENGINE: dict[str, Any] = {}


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    """When engine tests run: start the engine; name its versions and the stand-ins' runtimes."""
    if not any(item.get_closest_marker("engine") for item in items):
        return []
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter:
            reporter.write_line(line)

    folder = Path(tempfile.mkdtemp(prefix="scaffold-engine-"))
    _ENGINE["folder"] = folder  # the plugins' copy and the log: removed at the end of the run
    try:
        found = connect(folder / "docker-config", folder / "dockerd.log", say)
    except EngineUnavailable as error:
        _ENGINE["error"] = error
        return [f"docker engine: none ({error})"]
    _ENGINE["engine"] = found
    found.tidy()  # an earlier run that was killed did not
    versions = found.versions()
    how = "started for this run" if found.started else "already running"
    lines = [
        f"docker engine {versions['engine']} ({how}), buildx {versions['buildx']}, "
        f"compose {versions['compose']}"
    ]
    if os.environ.get("SCAFFOLD_REAL_BASES") != "1":
        lines += Kit(found, say).versions()
    return lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tidy the engine and stop it if the run started it. Under CI=true a skipped test is a
    failure: nothing may pass by not running."""
    if "engine" in _ENGINE:
        engine = _ENGINE.pop("engine")
        engine.tidy()
        engine.stop()
    if "folder" in _ENGINE:
        shutil.rmtree(_ENGINE.pop("folder"), ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") == "true" and skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped, which fails the run", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
