"""The update bots: Dependabot for GitHub, Renovate for GitLab, each covering the service's own
dependencies besides its images (and, for GitHub, its actions).

The tables below are what the bots' documentation says each reads: a Dependabot ecosystem finds
its manifest in the folders it is given (it does not search below them for .NET projects), and a
Renovate manager reads the files its name says. Each generated file is checked against its bot's
schema (check-jsonschema's vendored copies) and against the files the service really has.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import combinations, render, schema_errors

DEPENDABOT = ".github/dependabot.yml"
RENOVATE = "renovate.json"
# package manager -> (Dependabot ecosystem, Renovate managers, a manifest each of them reads)
ECOSYSTEMS = {
    # New pip services compile requirements.txt from requirements.in (pip_hashes): Dependabot's pip
    # ecosystem and Renovate's pip-compile manager rerun the compile from the .in files.
    "pip": ("pip", {"pip-compile"}, "requirements.in"),
    "uv": ("uv", {"pep621"}, "pyproject.toml"),
    "poetry": ("pip", {"pep621", "poetry"}, "pyproject.toml"),
    "npm": ("npm", {"npm"}, "package.json"),
    "pnpm": ("npm", {"npm"}, "package.json"),
    "yarn": ("npm", {"npm"}, "package.json"),
    "gomod": ("gomod", {"gomod"}, "go.mod"),
    "cargo": ("cargo", {"cargo"}, "Cargo.toml"),
    "maven": ("maven", {"maven"}, "pom.xml"),
    "gradle": ("gradle", {"gradle"}, "build.gradle"),
    "nuget": ("nuget", {"nuget"}, "*.csproj"),
    "composer": ("composer", {"composer"}, "composer.json"),
    "bundler": ("bundler", {"bundler"}, "Gemfile"),
}
IMAGES = {"docker", "docker-compose", "github-actions"}


@functools.cache
def _renovate_managers() -> frozenset[str]:
    """The managers Renovate's schema knows: each has its own top-level option."""
    import check_jsonschema

    schema = Path(check_jsonschema.__file__).parent / "builtin_schemas/vendor/renovate.json"
    definitions = json.loads(schema.read_text())["definitions"]
    return frozenset(
        name
        for name, value in definitions.items()
        if isinstance(value.get("default"), dict) and "managerFilePatterns" in value["default"]
    )


def test_the_manager_table_is_complete() -> None:
    """Every package manager copier.yml offers has a row (a new one fails here first)."""
    assert {a["package_manager"] for a in combinations()} == set(ECOSYSTEMS)


def test_dependabot_updates_images_actions_and_the_services_own_dependencies(
    combo: str, combo_dir: Path, rendered: dict[str, tuple[dict[str, Any], Path]]
) -> None:
    answers = rendered[combo][0]
    text = (combo_dir / DEPENDABOT).read_text()
    errors = schema_errors("vendor.dependabot", "dependabot.yml", text)
    assert not errors, errors
    updates = yaml.safe_load(text)["updates"]
    ecosystem, _, manifest = ECOSYSTEMS[answers["package_manager"]]
    assert [u["package-ecosystem"] for u in updates] == [*sorted(IMAGES), ecosystem]
    for update in updates:
        assert update["schedule"]["interval"] == "weekly", update
        assert update["cooldown"]["default-days"] == 7, update
        assert len(update["groups"]) == 1, update
        folders = update.get("directories", [update.get("directory")])
        assert folders and all(f.startswith("/") for f in folders), update
        if update["package-ecosystem"] == ecosystem:
            (group,) = update["groups"].values()
            # Minor and patch updates together; a major version is its own pull request.
            assert group["update-types"] == ["minor", "patch"], update
            for folder in folders:
                found = list((combo_dir / folder.strip("/")).glob(manifest))
                assert found, f"Dependabot finds no {manifest} in {folder}"


@functools.cache
def _gitlab_service(package_manager: str, root: Path) -> Path:
    answers = next(a for a in combinations() if a["package_manager"] == package_manager)
    github_only = {"platforms", "scan", "sign"}
    gitlab = {k: v for k, v in answers.items() if k not in github_only} | {"ci": "gitlab"}
    return render(gitlab, root / package_manager)


@pytest.mark.parametrize("package_manager", sorted(ECOSYSTEMS))
def test_renovate_updates_images_ci_images_and_the_services_own_dependencies_on_gitlab(
    package_manager: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = _gitlab_service(package_manager, tmp_path_factory.mktemp("gitlab"))
    assert not (folder / ".github").exists()
    text = (folder / RENOVATE).read_text()
    errors = schema_errors("vendor.renovate", RENOVATE, text)
    assert not errors, errors
    config = json.loads(text)
    assert "config:recommended" in config["extends"]
    assert "schedule:weekly" in config["extends"]
    assert config["minimumReleaseAge"] == "7 days"
    rules = config["packageRules"]
    named = [set(rule["matchManagers"]) for rule in rules]
    assert all(managers <= _renovate_managers() for managers in named), named
    _, managers, manifest = ECOSYSTEMS[package_manager]
    assert named == [{"dockerfile"}, {"docker-compose"}, {"gitlabci"}, managers]
    assert rules[-1]["matchUpdateTypes"] == ["minor", "patch"]
    assert all(rule["groupName"] for rule in rules)
    # What the managers read is really there.
    for path in ("Dockerfile", "compose.yaml", ".gitlab-ci.yml"):
        assert (folder / path).exists(), path
    assert list(folder.rglob(manifest)), f"no {manifest} for {sorted(managers)}"


def test_the_renovate_manager_names_come_from_renovates_schema() -> None:
    """The schema lookup above finds Renovate's managers (and would reject a misspelt one)."""
    known = _renovate_managers()
    assert {"dockerfile", "docker-compose", "gitlabci", "pip_requirements", "npm"} <= known
    assert "gitlab-ci" not in known and "pip" not in known


@pytest.mark.parametrize("runtime_base", ["hardened", "official"])
def test_renovate_logs_in_where_the_base_images_need_it_with_the_bots_own_secrets(
    runtime_base: str, tmp_path: Path
) -> None:
    """Docker Hardened Images are pulled with a login: Renovate could not see their new tags
    without one, and the credentials come from the bot's configuration, not the repository."""
    answers = next(a for a in combinations() if a.get("runtime_base") == "hardened")
    github_only = {"platforms", "scan", "sign"}
    gitlab = {k: v for k, v in answers.items() if k not in github_only}
    folder = render(gitlab | {"ci": "gitlab", "runtime_base": runtime_base}, tmp_path / "svc")
    text = (folder / RENOVATE).read_text()
    assert not schema_errors("vendor.renovate", RENOVATE, text)
    rules = json.loads(text).get("hostRules", [])
    if runtime_base == "official":
        assert rules == []
        return
    assert rules == [
        {
            "hostType": "docker",
            "matchHost": "dhi.io",
            "username": "{{ secrets.DHI_USERNAME }}",
            "password": "{{ secrets.DHI_TOKEN }}",
        }
    ]
    readme = (folder / "README.md").read_text()
    assert "`{{ secrets.DHI_TOKEN }}`" in readme and "config.js" in readme
