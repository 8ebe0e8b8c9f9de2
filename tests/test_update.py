"""The update path end to end: template release N, a service, a team edit, release N+1 on a
fresh HOME, plain `copier update` and `scaffold update`."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold._release import build_bundle
from scaffold.template import BUNDLE_SRC

from helpers import (
    bundle_home,
    git_save,
    read_answers,
    run_copier,
    run_scaffold,
    set_version,
    template_source,
)

TEAM_EDIT = "# Team: base image mirrored in our registry, keep tags in sync.\n"


def release(repo: Path, version: str) -> None:
    """Set the version in the template repo's pyproject.toml and commit: a template release."""
    set_version(repo, version)
    git_save(repo, f"release {version}")


def install(repo: Path, home: Path) -> None:
    """What installing that scaffold does for HOME: its release bundle at the fixed path."""
    build_bundle(repo, bundle_home(home))


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    repo = template_source(tmp_path / "scaffold-src")
    release(repo, "1.0.0")
    return repo


def new_service(tmp_path: Path, home: Path) -> Path:
    """A service generated with plain copier from release 1.0.0, committed."""
    result = run_copier("copy", "--defaults", BUNDLE_SRC, "svc", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    service = tmp_path / "svc"
    assert read_answers(service)["_commit"] == "1.0.0"
    git_save(service, "generated")
    return service


def change_template(repo: Path) -> None:
    """Release 1.1.0 changes one line every Dockerfile has: the health-check interval."""
    macros = repo / "templates/macros.jinja"
    text = macros.read_text()
    assert "--interval=10s" in text
    macros.write_text(text.replace("--interval=10s", "--interval=20s"))
    release(repo, "1.1.0")


def test_plain_copier_update_applies_the_change_and_keeps_the_edit(
    tmp_path: Path, template_repo: Path
) -> None:
    machine_a, machine_b = tmp_path / "home-a", tmp_path / "home-b"
    install(template_repo, machine_a)
    service = new_service(tmp_path, machine_a)
    dockerfile = service / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace("WORKDIR /app\n", "WORKDIR /app\n" + TEAM_EDIT, 1)
    )
    git_save(service, "team edit")

    change_template(template_repo)
    install(template_repo, machine_b)  # a teammate's fresh HOME with the newer scaffold
    result = run_copier("update", "--defaults", home=machine_b, cwd=service)
    assert result.returncode == 0, result.stderr

    text = dockerfile.read_text()
    assert "--interval=20s" in text, "the template change was not applied"
    assert TEAM_EDIT in text, "the team's edit was lost"
    assert "<<<<<<<" not in text
    assert read_answers(service)["_commit"] == "1.1.0"


def test_overlapping_edit_makes_scaffold_update_fail_and_name_the_file(
    tmp_path: Path, template_repo: Path
) -> None:
    home = tmp_path / "home"
    install(template_repo, home)
    service = new_service(tmp_path, home)
    dockerfile = service / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("--interval=10s", "--interval=60s"))
    git_save(service, "team tuned the health check")

    change_template(template_repo)
    install(template_repo, home)
    result = run_scaffold("update", service, "--defaults", home=home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflicts in Dockerfile" in result.stderr
    assert "<<<<<<<" in dockerfile.read_text(), "the conflict must be visible in the file"


def test_scaffold_update_on_a_fresh_home_finds_the_release(home: Path, tmp_path: Path) -> None:
    assert run_scaffold("new", "svc", "--defaults", home=home).returncode == 0
    service = home / "svc"
    git_save(service, "generated")
    fresh = tmp_path / "fresh-home"
    fresh.mkdir()
    result = run_scaffold("update", service, "--defaults", home=fresh)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert bundle_home(fresh).is_file(), "scaffold update installs the bundle on a fresh HOME"


def test_update_twice_is_idempotent(tmp_path: Path, template_repo: Path) -> None:
    home = tmp_path / "home"
    install(template_repo, home)
    service = new_service(tmp_path, home)
    change_template(template_repo)
    install(template_repo, home)
    assert run_scaffold("update", service, "--defaults", home=home).returncode == 0
    git_save(service, "updated")
    again = run_scaffold("update", service, "--defaults", home=home)
    assert again.returncode == 0 and "up to date" in again.stdout


def test_a_deleted_generated_file_stays_deleted(tmp_path: Path, template_repo: Path) -> None:
    """Deleting a generated file is an edit too: the update keeps it deleted, even when the
    new release changes that file, and still updates the others."""
    home = tmp_path / "home"
    install(template_repo, home)
    service = new_service(tmp_path, home)
    (service / "compose.yaml").unlink()
    git_save(service, "we run without compose")

    compose = template_repo / "templates/template/compose.yaml.jinja"
    compose.write_text(compose.read_text() + "# compose changed in 1.1.0\n")
    change_template(template_repo)
    install(template_repo, home)
    result = run_scaffold("update", service, "--defaults", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (service / "compose.yaml").exists(), "the update brought back a deleted file"
    assert "--interval=20s" in (service / "Dockerfile").read_text()


def test_a_renamed_answer_key_keeps_the_services_answer(
    tmp_path: Path, template_repo: Path
) -> None:
    """Release 1.1.0 renames `uid` to `runtime_uid` and records it in templates/renamed.yml:
    scaffold update carries the service's 12345 over; plain copier, not told, falls back to the
    default, which is why the mapping exists."""
    home = tmp_path / "home"
    install(template_repo, home)
    services = []
    for name in ("svc", "plain"):
        result = run_copier(
            "copy", "--defaults", "--data", "uid=12345", BUNDLE_SRC, name, home=home, cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
        git_save(tmp_path / name, "generated")
        services.append(tmp_path / name)

    templates = template_repo / "templates"
    for path in templates.rglob("*"):
        if path.is_file() and path.suffix in {".jinja", ".yml"}:
            text = path.read_text()
            renamed = text.replace("{{ uid }}", "{{ runtime_uid }}").replace(
                "\nuid:\n", "\nruntime_uid:\n"
            )
            path.write_text(
                renamed.replace(
                    "if uid < 1 or uid > 65533", "if runtime_uid < 1 or runtime_uid > 65533"
                )
            )
    (templates / "renamed.yml").write_text("uid: runtime_uid\n")
    release(template_repo, "1.1.0")
    install(template_repo, home)

    svc, plain = services
    result = run_scaffold("update", svc, "--defaults", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    answers = read_answers(svc)
    assert answers["runtime_uid"] == 12345 and "uid" not in answers
    assert "USER 12345:12345" in (svc / "Dockerfile").read_text()

    assert run_copier("update", "--defaults", home=home, cwd=plain).returncode == 0
    assert read_answers(plain)["runtime_uid"] == 10001, "plain copier kept it: no mapping needed?"
