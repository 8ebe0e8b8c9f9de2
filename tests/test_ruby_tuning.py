"""Ruby's production runtime settings, on a real engine: the prod stage's jemalloc and YJIT lines
work, and Puma runs WEB_CONCURRENCY workers.

The prod image itself cannot be built here (Bundler needs rubygems.org for Puma), so the test
takes the prod stage's own lines, everything between `FROM base AS prod` and the OCI labels,
onto the Ruby base image, adds Debian's Puma in place of the bundle, and runs them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from helpers import combinations, render
from kit import Kit

pytestmark = pytest.mark.engine

PROBE = (
    "puts [File.read('/proc/self/maps').include?('libjemalloc'), ENV['RUBY_YJIT_ENABLE'], "
    "defined?(RubyVM::YJIT) ? RubyVM::YJIT.enabled? : 'no YJIT built in'].to_json"
)


def _prod_runtime_lines(dockerfile: str) -> str:
    prod = dockerfile.split("FROM base AS prod\n", 1)[1]
    return prod.split("# Image metadata", 1)[0]


def test_prod_preloads_jemalloc_turns_on_yjit_and_runs_web_concurrency_workers(
    engine: Engine, kit: Kit | None, tmp_path: Path, say: Any
) -> None:
    answers = next(a for a in combinations() if a["language"] == "ruby" and a["dev_test_prod"])
    service = render(answers, tmp_path / "svc")
    dockerfile = (service / "Dockerfile").read_text()
    base = f"ruby:{answers['language_version']}-slim"
    assert f"FROM {base} AS base" in dockerfile
    if kit is not None:
        kit.provide(base)
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "config.ru").write_text('run ->(_env) { [200, {}, ["ok\\n"]] }\n')
    (probe / "Dockerfile").write_text(
        f"FROM {base}\n{_prod_runtime_lines(dockerfile)}\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends puma"
        " && rm -rf /var/lib/apt/lists/*\n"
        "WORKDIR /app\nCOPY config.ru ./\n"
    )
    image = "scaffold-e2e/ruby-runtime-probe"
    engine.run("build", "--quiet", "--tag", image, str(probe))
    try:
        shown = engine.run("run", "--rm", image, "ruby", "-rjson", "-e", PROBE).stdout.strip()
        container = "scaffold-e2e-ruby-runtime-probe"
        engine.run("rm", "--force", container, check=False)
        engine.run("run", "--detach", "--name", container, image, "puma", "config.ru")
        deadline = time.monotonic() + 30
        while True:
            logs = engine.run("logs", container, check=False)
            log = logs.stdout + logs.stderr
            if log.count("booted") >= 2 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        engine.run("rm", "--force", container, check=False)
    finally:
        engine.run("rmi", "--force", image, check=False)
    say(f"ruby prod runtime: [jemalloc mapped, RUBY_YJIT_ENABLE, YJIT] = {shown}")
    say(f"ruby prod runtime: puma log {log!r}")
    jemalloc, yjit_env, yjit = json.loads(shown)
    assert jemalloc is True, "libjemalloc is not mapped into Ruby"
    assert yjit_env == "1"
    # Debian's Ruby (the stand-in here) is built without YJIT; the official images have it.
    assert yjit is True or yjit == "no YJIT built in", yjit
    assert "cluster mode" in log and "Workers: 2" in log, log
    assert log.count("booted") == 2, log
