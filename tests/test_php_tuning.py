"""PHP's production settings, read from the environment by the PHP the image runs: OPcache loaded,
never re-checking files, sized by `PHP_OPCACHE_*`; PHP-FPM's pool sized by `PHP_FPM_*`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from generated import Service, generate
from helpers import combinations
from kit import Kit, base_images

pytestmark = pytest.mark.engine

# PHP's CLI with the ini files the server reads ($PHP_INI_DIR), as the server process starts.
PHP_SETTINGS = (
    'PHP_INI_SCAN_DIR="$PHP_INI_DIR/conf.d" php -c "$PHP_INI_DIR/php.ini" -r '
    '\'echo json_encode([extension_loaded("Zend OPcache"), ini_get("opcache.enable"), '
    'ini_get("opcache.validate_timestamps"), ini_get("opcache.memory_consumption"), '
    'ini_get("opcache.max_accelerated_files")]);\''
)


def _opcache(engine: Engine, image: str) -> tuple[list[Any], list[Any]]:
    """OPcache's settings in IMAGE with its defaults, and with PHP_OPCACHE_* set at run time."""
    run = ["run", "--rm", "--read-only", "--entrypoint", "sh"]
    default = engine.run(*run, image, "-c", PHP_SETTINGS).stdout
    tuned = engine.run(
        *run, "-e", "PHP_OPCACHE_MEMORY=96", "-e", "PHP_OPCACHE_MAX_FILES=4000", image,
        "-c", PHP_SETTINGS,
    ).stdout  # fmt: skip
    return json.loads(default), json.loads(tuned)


def test_apache_prod_has_opcache_on_sized_from_the_environment(
    engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services["php-apache-composer-prod-only"]
    default, tuned = _opcache(engine, service.prod)
    assert default == [True, "1", "0", "128", "20000"], default
    assert tuned == [True, "1", "0", "96", "4000"], tuned
    say(f"php apache: OPcache (loaded, on, revalidate, MB, files) {default} -> {tuned}")


def test_fpm_prod_sizes_its_pool_and_opcache_from_the_environment(
    engine: Engine, kit: Kit | None, tmp_path: Path, say: Any
) -> None:
    answers = next(
        a
        for a in combinations()
        if a["serving"] == "fpm" and not a["dev_test_prod"] and a["ci"] == "github"
    )
    (tmp_path / "home").mkdir()
    path = generate("php-fpm-tuning", answers, tmp_path, tmp_path / "home")
    if kit is not None:
        for image in sorted(base_images((path / "Dockerfile").read_text())):
            kit.provide(image)
    image = "scaffold-e2e/php-fpm-tuning:prod"
    engine.run("build", "--target", "prod", "--tag", image, str(path))
    try:
        default, tuned = _opcache(engine, image)
        assert default == [True, "1", "0", "128", "20000"], default
        assert tuned[3:] == ["96", "4000"], tuned
        run = ["run", "--rm", "--read-only", "--tmpfs", "/tmp"]
        pools = {}
        for label, env in {"default": [], "tuned": ["-e", "PHP_FPM_MAX_CHILDREN=24"]}.items():
            shown = engine.run(*run, *env, image, "php-fpm", "-tt")
            lines = (shown.stdout + shown.stderr).splitlines()
            pools[label] = [line.split("NOTICE:")[-1].strip() for line in lines if "pm." in line]
    finally:
        engine.run("rmi", "--force", image, check=False)
    assert "pm.max_children = 10" in pools["default"], pools["default"]
    assert "pm.max_requests = 500" in pools["default"], pools["default"]
    assert "pm.max_children = 24" in pools["tuned"], pools["tuned"]
    say(f"php fpm: pool {pools['default']}; PHP_FPM_MAX_CHILDREN=24 gives {pools['tuned'][:1]}")
