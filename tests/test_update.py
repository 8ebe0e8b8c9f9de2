"""The update path end to end: template release N, a service, a team edit, release N+1 on a
fresh HOME, plain `copier update` and `scaffold update`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest

from scaffold._release import build_bundle
from scaffold.template import BUNDLE_SRC

from helpers import (
    bundle_home,
    git,
    git_save,
    read_answers,
    run_copier,
    run_scaffold,
    scaffold_env,
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
    home, service = behind(tmp_path, template_repo, change_template)
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


def behind(
    tmp_path: Path, repo: Path, next_release: Callable[[Path], None] | None = None
) -> tuple[Path, Path]:
    """A committed service on release 1.0.0, and NEXT_RELEASE (1.1.0) installed: (home, service)."""
    home = tmp_path / "home"
    install(repo, home)
    service = new_service(tmp_path, home)
    if next_release is not None:
        next_release(repo)
        install(repo, home)
    return home, service


def changelog(repo: Path, version: str, line: str) -> None:
    """Add VERSION's entry to the template changelog, as every release must."""
    path = repo / "templates/CHANGELOG.md"
    text = path.read_text()
    heading = text.index("\n## ")
    path.write_text(f"{text[:heading]}\n## {version}\n- {line}\n{text[heading:]}")


def test_check_says_whether_a_newer_release_exists(tmp_path: Path, template_repo: Path) -> None:
    home, service = behind(tmp_path, template_repo)
    current = run_scaffold("update", service, "--check", home=home)
    assert (current.returncode, current.stdout.strip()) == (
        0,
        "svc is on template 1.0.0, the newest release.",
    )
    change_template(template_repo)
    install(template_repo, home)
    late = run_scaffold("update", service, "--check", home=home)
    assert (late.returncode, late.stdout.strip()) == (2, "1.0.0 → 1.1.0 available")
    assert read_answers(service)["_commit"] == "1.0.0", "--check changes nothing"
    missing = run_scaffold("update", tmp_path, "--check", home=home)
    assert missing.returncode == 1 and "has no .copier-answers.yml" in missing.stderr


def test_update_names_the_release_step_and_what_it_changes(
    tmp_path: Path, template_repo: Path
) -> None:
    home, service = behind(tmp_path, template_repo)
    changelog(template_repo, "1.1.0", "Health checks run every 20 s instead of 10 s.")
    change_template(template_repo)
    install(template_repo, home)
    result = run_scaffold("update", service, home=home)
    assert result.returncode == 0, result.stderr
    assert "template 1.0.0 → 1.1.0" in result.stdout
    assert "Health checks run every 20 s instead of 10 s." in result.stdout
    assert "update  Dockerfile" in result.stdout


def test_dry_run_shows_the_diff_and_writes_nothing(tmp_path: Path, template_repo: Path) -> None:
    home, service = behind(tmp_path, template_repo, change_template)
    head = git(service, "rev-parse", "HEAD")
    result = run_scaffold("update", service, "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "update  Dockerfile" in result.stdout
    assert "+HEALTHCHECK --interval=20s" in result.stdout
    assert "-HEALTHCHECK --interval=10s" in result.stdout
    assert "Dry run: nothing written" in result.stdout
    assert git(service, "status", "--porcelain") == "" and git(service, "rev-parse", "HEAD") == head
    assert read_answers(service)["_commit"] == "1.0.0"


def test_answers_that_would_delete_edited_files_are_refused(
    tmp_path: Path, template_repo: Path
) -> None:
    """Answering include_app=false would delete the skeleton: a file the team changed is kept
    unless --force says otherwise, and the refused update leaves the tree as it was."""
    home, service = behind(tmp_path, template_repo)
    main = service / "app/main.py"
    main.write_text(main.read_text() + "# our code\n")
    git_save(service, "our code")
    refused = run_scaffold("update", service, "--data", "include_app=false", home=home)
    assert refused.returncode == 1
    assert "app/main.py" in refused.stderr and "--force" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert git(service, "status", "--porcelain") == "", "a refused update must change nothing"
    forced = run_scaffold("update", service, "--data", "include_app=false", "--force", home=home)
    assert forced.returncode == 0, forced.stderr
    assert not main.exists() and (service / "DOCKER.md").is_file()


def add_question(repo: Path) -> None:
    """Release 1.1.0 adds a question (with a default, as every added answer needs)."""
    copier_yml = repo / "templates/copier.yml"
    copier_yml.write_text(
        copier_yml.read_text()
        + "\nlog_format:\n  type: str\n  help: Log format of the service\n"
        + "  choices: [json, text]\n  default: json\n"
    )
    changelog(repo, "1.1.0", "New question log_format.")
    release(repo, "1.1.0")


def spawn_update(service: Path, home: Path, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "update", *args],
        cwd=str(service),
        env=scaffold_env(home),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
        preexec_fn=_interruptible,
    )


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, str(child.before)


def test_on_a_terminal_update_asks_nothing_when_no_question_was_added(
    tmp_path: Path, template_repo: Path
) -> None:
    home, service = behind(tmp_path, template_repo, change_template)
    child = spawn_update(service, home)
    child.expect_exact("template 1.0.0 → 1.1.0")
    code, output = finish(child)
    assert code == 0, output
    assert "?" not in output.replace("\x1b[?", ""), f"a question was asked:\n{output}"
    assert "Updated from template 1.0.0 to 1.1.0" in output
    assert read_answers(service)["_commit"] == "1.1.0"


def test_on_a_terminal_update_asks_exactly_the_new_question(
    tmp_path: Path, template_repo: Path
) -> None:
    home, service = behind(tmp_path, template_repo, add_question)
    child = spawn_update(service, home)
    child.expect_exact("Log format of the service")
    child.send("\x1b[B\r")  # text
    code, output = finish(child)
    assert code == 0, output
    assert "Service name" not in output and "Language of the service" not in output
    answers = read_answers(service)
    assert (answers["log_format"], answers["_commit"], answers["language"]) == (
        "text",
        "1.1.0",
        "python",
    )


def test_ask_puts_a_recorded_answer_to_the_user_again(tmp_path: Path, template_repo: Path) -> None:
    home, service = behind(tmp_path, template_repo)
    child = spawn_update(service, home, "--ask", "uid")
    child.expect_exact("Numeric user and group id")
    child.expect_exact("10001")  # the recorded answer is the default
    child.send("\x15" + "12345\r")
    code, output = finish(child)
    assert code == 0, output
    assert read_answers(service)["uid"] == 12345
    assert "USER 12345:12345" in (service / "Dockerfile").read_text()


def test_ctrl_c_at_the_question_leaves_the_service_as_it_was(
    tmp_path: Path, template_repo: Path
) -> None:
    home, service = behind(tmp_path, template_repo, add_question)
    child = spawn_update(service, home)
    child.expect_exact("Log format of the service")
    child.send("\x03")
    code, output = finish(child)
    assert code == 130, output
    assert "Traceback" not in output
    assert git(service, "status", "--porcelain") == ""


def test_ctrl_c_while_merging_leaves_the_service_as_it_was(
    tmp_path: Path, template_repo: Path
) -> None:
    """SIGINT to the terminal's process group once Copier has started rendering the new release."""
    home, service = behind(tmp_path, template_repo, change_template)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "update"],
        cwd=str(service),
        env={**scaffold_env(home), "TMPDIR": str(scratch)},
        encoding="utf-8",
        timeout=120,
        preexec_fn=_interruptible,
    )
    deadline = time.monotonic() + 60
    while not any("new_copy" in p.name for p in scratch.iterdir()):
        assert time.monotonic() < deadline, "never saw Copier render the new release"
        time.sleep(0.002)
    os.killpg(os.getpgid(child.pid), signal.SIGINT)
    code, output = finish(child)
    assert code == 130, output
    assert "interrupted" in output and "Traceback" not in output
    assert git(service, "status", "--porcelain") == ""
    assert read_answers(service)["_commit"] == "1.0.0"


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A git daemon on 127.0.0.1 serving the repositories under a folder: (folder, base URL)."""
    root = tmp_path / "served"
    root.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--listen=127.0.0.1",
            f"--port={port}",
            f"--base-path={root}",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "git daemon did not start"
            time.sleep(0.1)
    yield root, f"git://127.0.0.1:{port}"
    daemon.terminate()
    daemon.wait(timeout=10)


def _fork_release(fork: Path, tag: str, label: str) -> None:
    """The platform team's release TAG of its fork: a label in every Go image's base stage."""
    body = fork / "dockerfiles/go.jinja"
    text = body.read_text()
    marker = "AS base\n"
    head, _, rest = text.partition(marker)
    rest = rest.split("\n", 1)[1] if rest.startswith("LABEL com.acme.") else rest
    body.write_text(f"{head}{marker}LABEL com.acme.platform={label}\n{rest}")
    git_save(fork, f"release {tag}")
    git(fork, "tag", tag)


def test_renovate_keeps_a_fleet_current_with_a_fork_served_over_git(
    tmp_path: Path, home: Path, git_server: tuple[Path, str]
) -> None:
    """Services made from a fork's URL record it; Renovate's copier manager, on a machine that
    never ran scaffold, updates each to the fork's next tag with the services' edits kept."""
    served, base_url = git_server
    fork = served / "acme-template"
    assert run_scaffold("template", "export", fork, home=home).returncode == 0
    _fork_release(fork, "1.0.0", "v1")
    url = f"{base_url}/acme-template"
    fleet = []
    for name in ("orders", "billing"):
        made = run_scaffold(
            "new",
            tmp_path / name,
            "--defaults",
            "--template",
            url,
            "--data",
            "language=go",
            home=home,
        )
        assert made.returncode == 0, made.stderr
        service = tmp_path / name
        assert read_answers(service)["_src_path"] == url
        dockerfile = service / "Dockerfile"
        dockerfile.write_text(dockerfile.read_text() + f"# {name} team's line\n")
        git_save(service, "generated, with an edit")
        fleet.append(service)

    _fork_release(fork, "1.1.0", "v2")
    renovate_home = tmp_path / "renovate"
    renovate_home.mkdir()
    for service in fleet:
        check = run_scaffold("update", service, "--check", home=home)
        assert (check.returncode, check.stdout.strip()) == (2, "1.0.0 → 1.1.0 available")
        result = run_copier(
            "update",
            "--skip-answered",
            "--defaults",
            "--vcs-ref",
            "1.1.0",
            home=renovate_home,
            cwd=service,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        text = (service / "Dockerfile").read_text()
        assert "LABEL com.acme.platform=v2" in text and "platform=v1" not in text
        assert f"# {service.name} team's line" in text
        assert read_answers(service)["_commit"] == "1.1.0"
        git_save(service, "update")
        assert run_scaffold("update", service, "--check", home=home).returncode == 0


def _interruptible() -> None:
    """As on a terminal: a run started in the background (CI) inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _python(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run SCRIPT in a Python of its own that Ctrl-C reaches as on a terminal."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        preexec_fn=_interruptible,
    )


def test_ctrl_c_inside_a_library_finalizer_still_stops_the_command(tmp_path: Path) -> None:
    """Python drops an exception raised in `__del__` (Copier's git wrapper has one): the interrupt
    must still stop the command before it writes, and no "Exception ignored" traceback shows."""
    script = textwrap.dedent(
        """
        import os, signal
        from scaffold import interrupts

        class Finalized:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)
                sum(range(1000))  # the handler runs here, inside the finalizer

        with interrupts.watched():
            Finalized()
            print("carried on")
            interrupts.raise_if_seen()
            print("wrote the service")
        """
    )
    run = _python(script, tmp_path)
    assert "carried on" in run.stdout
    assert "wrote the service" not in run.stdout
    assert "KeyboardInterrupt" in run.stderr
    assert "Exception ignored" not in run.stderr


def test_a_second_ctrl_c_does_not_stop_the_rollback_half_way(tmp_path: Path) -> None:
    """Ctrl-C reaches the git commands that restore the service too: they must finish."""
    script = textwrap.dedent(
        """
        import os, signal, subprocess
        from scaffold import interrupts

        with interrupts.watched():
            with interrupts.held():
                os.kill(os.getpid(), signal.SIGINT)
                child = subprocess.run(
                    ["sh", "-c", "kill -INT $$; echo restored"], capture_output=True, text=True
                )
                print(child.stdout.strip(), "and rolled back")
        """
    )
    run = _python(script, tmp_path)
    assert run.stdout.strip() == "restored and rolled back", run.stderr
