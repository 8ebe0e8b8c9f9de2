"""`scaffold new` on a real terminal: questionary prompts driven through a pty."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from helpers import git, git_save, read_answers, run_scaffold, scaffold_env

ENTER, DOWN, UP, CLEAR_LINE, CTRL_C, ESC = "\r", "\x1b[B", "\x1b[A", "\x15", "\x03", "\x1b"


def spawn(home: Path, *args: str, command: str = "new", path: str = "") -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", command, *args],
        cwd=str(home),
        env={**scaffold_env(home), **({"PATH": path} if path else {})},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
        # As on a user's terminal: a suite started in the background (`cmd &` without job
        # control) ignores SIGINT, and its children would inherit that.
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# The questions after the image name when the CI system is GitHub Actions.
PUBLISHING = [
    "Platforms the image",
    "Attach provenance",
    "Scan the pushed image",
    "Sign the pushed",
]


def answer(child: pexpect.spawn, prompt: str, keys: str) -> None:
    child.expect_exact(prompt)
    child.send(keys)


def test_every_prompt_answered_on_a_terminal(home: Path) -> None:
    child = spawn(home, "svc")
    answer(child, "Service name", ENTER)
    answer(child, "Language of the service", DOWN + ENTER)  # Node.js
    answer(child, "How the service runs in production", ENTER)
    answer(child, "Node.js version", ENTER)
    answer(child, "Package manager", ENTER)
    answer(child, "Port the service listens on", CLEAR_LINE + "99999" + ENTER)
    # The validator's message, on the line right under the refused answer, then the same
    # question again with the refused text to edit.
    child.expect(r"inside the container [^\n]*99999[^\n]*\n[^\n]*Must be a number from 1 to 65535")
    answer(child, "Port the service listens on", CLEAR_LINE + "4000" + ENTER)
    answer(child, "Add dev and test targets", ENTER)
    answer(child, "Base image family", ENTER)
    answer(child, "Numeric user and group id", ENTER)
    answer(child, "CI system", ENTER)
    answer(child, "Container registry", ENTER)
    answer(child, "Image name without a tag", CLEAR_LINE + "acme/svc" + ENTER)
    for prompt in PUBLISHING:
        answer(child, prompt, ENTER)
    child.expect_exact("scaffold will create")
    answer(child, "Create it?", ENTER)
    child.expect_exact("Next steps:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = read_answers(home / "svc")
    assert (answers["language"], answers["serving"], answers["port"], answers["image"]) == (
        "node",
        "node",
        4000,
        "acme/svc",
    )
    assert (home / "svc/package-lock.json").is_file()
    assert "EXPOSE 4000" in (home / "svc/Dockerfile").read_text()


def flow(version: str) -> list[str]:
    """The prompts of `scaffold new svc --data language=...`, in order, up to the summary."""
    return [
        "Service name",
        "How the service runs",
        version,
        "Package manager",
        *(["Lock every dependency with hashes"] if version == "Python version" else []),
        "Port the service",
        "Add dev and test",
        "Base image family",
        "Numeric user",
        "CI system",
        "Container registry",
        "Image name",
        *PUBLISHING,
    ]


NODE_PROMPTS = [*flow("Node.js version"), "Create it?"]


def assert_interrupted_and_nothing_written(child: pexpect.spawn, home: Path) -> None:
    child.expect_exact("interrupted: nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not (home / "svc").exists()
    assert not [p.name for p in home.iterdir() if ".scaffold-" in p.name], "scratch left behind"


@pytest.mark.parametrize("stop", range(len(NODE_PROMPTS)), ids=NODE_PROMPTS)
def test_ctrl_c_at_any_prompt_writes_nothing(home: Path, stop: int) -> None:
    child = spawn(home, "svc", "--data", "language=node")
    for prompt in NODE_PROMPTS[:stop]:
        answer(child, prompt, ENTER)
    answer(child, NODE_PROMPTS[stop], CTRL_C)
    if NODE_PROMPTS[stop] == "Create it?":  # every question answered: the answers are kept
        child.expect_exact("scaffold new svc --data project_name=svc --data language=node")
    assert_interrupted_and_nothing_written(child, home)


@pytest.mark.parametrize("phase", ["rendering", "locking"])
def test_ctrl_c_while_the_service_is_written_leaves_nothing(home: Path, phase: str) -> None:
    """SIGINT to the terminal's foreground process group, as Ctrl-C sends it, once the scratch
    folder exists (the template is rendering) or holds the rendered files (npm is locking)."""
    child = spawn(home, "svc", "--data", "language=node")
    for prompt in NODE_PROMPTS[:-1]:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", ENTER)
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, f"never saw the {phase} phase"
        scratch = [p for p in home.iterdir() if ".scaffold-" in p.name]
        if scratch and (phase == "rendering" or (scratch[0] / "package.json").exists()):
            break
        time.sleep(0.005)
    os.killpg(os.getpgid(child.pid), signal.SIGINT)
    assert_interrupted_and_nothing_written(child, home)


def test_declining_the_summary_writes_nothing_and_prints_the_answers_as_a_command(
    home: Path,
) -> None:
    child = spawn(home, "svc", "--data", "language=python")
    for prompt in flow("Python version")[:-5]:
        answer(child, prompt, ENTER)
    answer(child, "Image name", CLEAR_LINE + "acme/svc" + ENTER)
    for prompt in PUBLISHING:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", "n")
    answer(child, "What now?", DOWN + ENTER)  # quit
    child.expect_exact("Nothing written.")
    child.expect(r"\n  (scaffold new svc --data [^\r\n]+)\r?\n")
    command = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not (home / "svc").exists()
    # The printed command, run as it is (no terminal, so nothing is asked), gives those answers.
    replayed = run_scaffold(*shlex.split(command)[1:], home=home)
    assert replayed.returncode == 0, replayed.stderr
    answers = read_answers(home / "svc")
    assert (answers["language"], answers["image"], answers["port"]) == ("python", "acme/svc", 8000)


def test_no_at_the_summary_changes_one_answer_and_keeps_the_others(home: Path) -> None:
    child = spawn(home, "svc", "--data", "language=python")
    for prompt in flow("Python version"):
        answer(child, prompt, ENTER)
    child.expect_exact("scaffold will create")
    # The default image cannot be pushed: the summary says so.
    child.expect(r"warning:[^\n]*placeholder[^\n]*image=example/svc")
    answer(child, "Create it?", "n")
    answer(child, "What now?", ENTER)  # change an answer
    child.expect_exact("Which answer?")
    keys = ["project_name", "language", "serving", "language_version", "package_manager"]
    keys += ["pip_hashes", "port"]
    keys += ["dev_test_prod", "runtime_base", "uid", "ci", "registry", "image"]
    child.send(DOWN * keys.index("image") + ENTER)
    answer(child, "Image name", CLEAR_LINE + "acme/svc" + ENTER)
    index = child.expect_exact(["scaffold will create", "Platforms the image"])
    assert index == 0, "an answer that was still valid was asked again"
    child.expect(r"image +acme/svc")
    child.expect_exact("Create it?")
    assert "placeholder" not in child.before, "the warning outlived the placeholder"
    child.send(ENTER)
    child.expect_exact("Next steps:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = read_answers(home / "svc")
    assert (answers["image"], answers["language"], answers["uid"]) == ("acme/svc", "python", 10001)


def test_changing_the_language_asks_what_no_longer_fits_and_moves_the_defaults(
    home: Path,
) -> None:
    child = spawn(home, "svc", "--data", "ci=none")
    for prompt in ["Service name", "Language of the service", "How the service runs"]:
        answer(child, prompt, ENTER)
    for prompt in [
        "Python version",
        "Package manager",
        "Lock every dependency",
        "Port the service",
    ]:
        answer(child, prompt, ENTER)
    answer(child, "Add dev and test", ENTER)
    for prompt in ["Base image family", "Numeric user", "Container registry", "Image name"]:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", "n")
    answer(child, "What now?", ENTER)  # change an answer
    answer(child, "Which answer?", DOWN + ENTER)  # language
    answer(child, "Language of the service", DOWN + ENTER)  # Node.js
    answer(child, "How the service runs", ENTER)  # gunicorn is no Node.js server: asked
    answer(child, "Package manager", ENTER)  # nor is pip a Node.js package manager
    index = child.expect_exact(["scaffold will create", "Node.js version", "Numeric user"])
    assert index == 0, "an answer that still fits was asked again"
    child.expect(r"language_version +26\r?\n")  # Python's default version did not stay
    child.expect(r"port +3000\r?\n")
    answer(child, "Create it?", "n")
    answer(child, "What now?", DOWN + ENTER)  # quit
    child.expect_exact("--data language=node --data serving=node --data language_version=26")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not (home / "svc").exists()


def test_esc_goes_back_to_the_previous_question(home: Path) -> None:
    child = spawn(home, "svc", "--data", "language=node", "--data", "ci=none")
    for prompt in ["Service name", "How the service runs", "Node.js version"]:
        answer(child, prompt, ENTER)
    answer(child, "Package manager", ENTER)  # npm
    answer(child, "Port the service listens on", ESC)
    answer(child, "Package manager", DOWN + ENTER)  # asked again: pnpm this time
    answer(child, "Port the service listens on", ESC)
    answer(child, "Package manager", ENTER)  # the default is now the answer given before
    answer(child, "Port the service listens on", CLEAR_LINE + "4000" + ENTER)
    for prompt in [
        "Add dev and test",
        "Base image family",
        "Numeric user",
        "Container registry",
        "Image name",
    ]:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = read_answers(home / "svc")
    assert (answers["package_manager"], answers["port"]) == ("pnpm", 4000)


def test_a_missing_package_manager_is_reported_right_after_choosing_it(home: Path) -> None:
    only_git = home / "only-git"
    only_git.mkdir()
    git_path = shutil.which("git")
    assert git_path
    (only_git / "git").symlink_to(git_path)
    child = spawn(home, "svc", "--data", "language=node", path=str(only_git))
    for prompt in ["Service name", "How the service runs", "Node.js version"]:
        answer(child, prompt, ENTER)
    answer(child, "Package manager", ENTER)  # npm, which is not installed
    child.expect_exact("npm is needed to create package-lock.json and is not installed: install")
    index = child.expect_exact(["Package manager", "Port the service"])
    assert index == 0, "scaffold went on to the next question without npm"
    child.send(CTRL_C)
    assert_interrupted_and_nothing_written(child, home)


def test_a_question_with_one_possible_answer_is_not_asked(home: Path) -> None:
    child = spawn(home, "svc", "--data", "language=go")
    answer(child, "Service name", ENTER)
    answer(child, "How the service runs", ENTER)
    answer(child, "Go version", ENTER)
    index = child.expect_exact(["Package manager", "Port the service"])
    assert index == 1, "Go has one package manager; scaffold asked for it"
    child.send(ENTER)
    for prompt in ["Add dev and test", "Numeric user", "CI system", "Container registry"]:
        answer(child, prompt, ENTER)
    for prompt in ["Image name", *PUBLISHING]:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert read_answers(home / "svc")["package_manager"] == "gomod"


def test_only_the_chosen_registrys_questions_are_asked(home: Path) -> None:
    child = spawn(home, "svc", "--data", "language=go", "--data", "registry=ecr")
    for prompt in ["Service name", "How the service runs", "Go version", "Port the service"]:
        answer(child, prompt, ENTER)
    for prompt in ["Add dev and test", "Numeric user", "CI system"]:
        answer(child, prompt, ENTER)
    answer(child, "AWS region of the ECR repository", CLEAR_LINE + "eu-west-1" + ENTER)
    answer(
        child,
        "IAM role the workflow assumes",
        CLEAR_LINE + "arn:aws:iam::111122223333:role/push" + ENTER,
    )
    index = child.expect_exact(["Location of the Artifact Registry", "Image name"])
    assert index == 1, "a Google Artifact Registry question was asked for ECR"
    child.send(ENTER)
    for prompt in PUBLISHING:
        answer(child, prompt, ENTER)
    answer(child, "Create it?", ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = read_answers(home / "svc")
    assert answers["image"] == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/svc"
    assert "gar_location" not in answers and answers["ecr_region"] == "eu-west-1"
    workflow = (home / "svc/.github/workflows/docker-publish.yml").read_text()
    assert "role-to-assume: arn:aws:iam::111122223333:role/push" in workflow


def detected(child: pexpect.spawn, prompt: str, value: str) -> None:
    """Expect PROMPT marked "(detected: VALUE)", as every detected default is, and take it."""
    child.expect(re.escape(prompt) + r"[^\n]*\(detected: " + re.escape(value) + r"\)")
    child.send(ENTER)


def test_init_offers_detected_answers_and_asks_before_each_overwrite(home: Path) -> None:
    project = home / "orders"
    project.mkdir()
    (project / "package.json").write_text(
        '{"name": "orders", "scripts": {"start": "node server.js"}, '
        '"dependencies": {"express": "5.1.0"}}\n'
    )
    (project / "package-lock.json").write_text("{}\n")
    (project / "server.js").write_text("const port = process.env.PORT || 8081;\n")
    (project / "Dockerfile").write_text('FROM node:18\nCMD ["node", "server.js"]\n')
    (project / "compose.yaml").write_text("services: {}\n")
    (project / ".dockerignore").write_text("node_modules\n")
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    (project / ".dockerignore").write_text("node_modules\n.env\n")  # not committed yet

    child = spawn(home, "orders", command="init")
    # Before the first question: what was read, and from where.
    child.expect_exact("scaffold init read from")
    child.expect(r"entrypoint +server\.js +\(package\.json: scripts\.start\)")
    child.expect(r"port +8081 +\(server\.js\)")
    detected(child, "Service name", "orders")
    detected(child, "Language of the service", "node")
    detected(child, "How the service runs in production", "node")
    answer(child, "Node.js version", ENTER)
    detected(child, "Package manager", "npm")
    detected(child, "Port the service listens on inside the container", "8081")
    detected(child, "Server script to run with node", "server.js")
    detected(child, "Run the project's build script", "no")
    detected(child, "Do dependencies compile native addons", "no")  # read from the lockfile
    answer(child, "Folders the service writes at run time", ENTER)  # its code names no database
    answer(child, "HTTP path the container health check requests", "/health" + ENTER)
    for prompt in [
        "Add dev and test",
        "Base image family",
        "Numeric user",
        "CI system",
        "Folder of the service",  # init only: its place in the repository
        "Container registry",
        "Image name",
        *PUBLISHING,
    ]:
        answer(child, prompt, ENTER)
    child.expect_exact("scaffold init will use these answers for")  # the summary new shows
    child.expect(r"health_path +/health")
    child.expect_exact("scaffold init will write into")
    child.expect(r"create\s+\.copier-answers\.yml")
    child.expect(r"conflict\s+Dockerfile")
    # .dockerignore has an uncommitted change: skipped without asking.
    child.expect(r"skip\s+\.dockerignore \(has uncommitted changes; --force overwrites it\)")
    child.expect_exact("Dockerfile exists with other content. Overwrite it?")
    child.send(DOWN * 3 + ENTER)  # from the default (no) down to diff
    child.expect_exact("-FROM node:18")
    child.expect_exact("Dockerfile exists with other content. Overwrite it?")
    child.send(ENTER)  # the default: no, keep mine
    child.expect_exact("compose.yaml exists with other content. Overwrite it?")
    child.send(UP + ENTER)  # from the default (no) up to yes
    child.expect_exact("Next steps:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (project / "Dockerfile").read_text().startswith("FROM node:18"), "a no kept the file"
    assert (project / ".dockerignore").read_text() == "node_modules\n.env\n"
    assert "healthz" not in (project / "compose.yaml").read_text()
    assert "services:\n  orders:" in (project / "compose.yaml").read_text(), "a yes overwrote it"
    answers = read_answers(project)
    assert (answers["entrypoint"], answers["port"], answers["health_path"]) == (
        "server.js",
        8081,
        "/health",
    )


def test_init_without_conflicts_shows_the_plan_and_writes_only_when_confirmed(home: Path) -> None:
    project = home / "inventory"
    (project / "cmd/api").mkdir(parents=True)
    (project / "go.mod").write_text("module example.com/inventory\n\ngo 1.24\n")
    (project / "cmd/api/main.go").write_text("package main\n\nfunc main() {}\n")
    child = spawn(home, "inventory", command="init")
    prompts = [
        "Service name",
        "Language of the service",
        "How the service runs",
        "Go version",
        "Port the service",
        "Main package to build",
        "Add dev and test",
        "Numeric user",
        "CI system",
        "Folder of the service",  # init only: its place in the repository
        "Container registry",
        "Image name",
        *PUBLISHING,
    ]
    for prompt in prompts:
        answer(child, prompt, ENTER)
    child.expect(r"create\s+Dockerfile")
    answer(child, "Write these files?", "n")
    answer(child, "What now?", DOWN + ENTER)  # quit
    child.expect_exact("Nothing written.")
    child.expect_exact("scaffold init inventory --data project_name=inventory --data language=go")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert sorted(p.name for p in project.iterdir()) == ["cmd", "go.mod"]


def test_init_asks_the_workspace_questions_of_a_workspace_package(home: Path) -> None:
    """In apps/api of a pnpm workspace they are offered with what was read (a package of no
    workspace is not asked them: the test above walks every question of one)."""
    root = home / "shelf"
    shutil.copytree(Path(__file__).parent / "projects" / "node-pnpm-workspace", root)
    git(root, "init", "--quiet", "--initial-branch=main")
    git_save(root, "the team's workspace")
    child = spawn(home, "shelf/apps/api", command="init")
    child.logfile_read = transcript = io.StringIO()
    for _ in range(40):  # every question with its default, until the summary
        if child.expect([r"\x1b\[\?25h", "scaffold init will use these answers"]) == 1:
            break
        child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", transcript.getvalue())
    for prompt, value in [
        ("Folder of the service inside its workspace", "apps/api"),
        ("Package name of the service in its workspace", "@shelf/api"),
        ("Workspace packages to build before the service", "@shelf/shared"),
    ]:
        assert re.search(re.escape(prompt) + r"[^\n]*\(detected: " + re.escape(value), shown)
    answers = read_answers(root / "apps" / "api")
    assert (answers["workspace_member"], answers["workspace_builds"]) == (
        "apps/api",
        "@shelf/shared",
    )
