"""Every generated image, proven on a real Docker engine and a real registry.

For each combination scaffold can generate whose toolchain is reachable here: build every target,
make the test stage fail on purpose, run the production image hardened (read-only root, no
capabilities, no new privileges) as its numeric uid, reach its health route from the host, wait for
HEALTHCHECK, stop it within 10 s, look inside it for anything that should not be there, and push and
pull it through a registry with authentication.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
import urllib.error
import urllib.request
import urllib.response
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import Engine
from generated import (
    ENGINE_COMBOS,
    SECRET,
    SHELLLESS,
    WITH_TEST_STAGE,
    Service,
    generate,
    runtime_uid,
)
from helpers import combinations, git, git_save, run_scaffold
from kit import Kit, base_images
from publish import SHA, WORKFLOW, Stage, platforms, run_publish
from tags import tags_for

pytestmark = pytest.mark.engine


def _image_id(engine: Engine, ref: str) -> str:
    return engine.run("image", "inspect", "--format", "{{.Id}}", ref).stdout.strip()


@pytest.mark.parametrize("name", sorted(ENGINE_COMBOS))
def test_plain_build_gives_the_production_target(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[name]
    plain = engine.run("build", "--quiet", str(service.path)).stdout.strip()
    assert plain == _image_id(engine, service.prod), "`docker build .` must build the prod stage"
    say(f"{name}: `docker build .` and `--target prod` give the same image {plain[7:19]}")


@pytest.mark.parametrize("name", WITH_TEST_STAGE)
def test_dev_and_test_targets_build(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[name]
    engine.run("build", "--target", "dev", "--quiet", str(service.path))
    engine.run("build", "--target", "test", "--quiet", str(service.path))
    say(f"{name}: dev and test targets build; the skeleton's tests pass in the test stage")


# A test made to fail, per language: the file to add, what it holds, and the name the test
# stage's output must show when it fails.
FAILING_TEST: dict[str, tuple[str, str, str]] = {
    "python": (
        "tests/test_made_to_fail.py",
        "def test_made_to_fail() -> None:\n    assert 1 == 2\n",
        "made_to_fail",
    ),
    "node": (
        "test/made-to-fail.test.js",
        'import assert from "node:assert/strict";\nimport { test } from "node:test";\n'
        'test("made to fail", () => assert.equal(1, 2));\n',
        "made to fail",
    ),
    "go": (
        "made_to_fail_test.go",
        'package main\n\nimport "testing"\n\n'
        'func TestMadeToFail(t *testing.T) { t.Fatal("1 != 2") }\n',
        "MadeToFail",
    ),
    "rust": (
        "src/main.rs",
        "\n#[test]\nfn made_to_fail() {\n    assert_eq!(1, 2);\n}\n",
        "made_to_fail",
    ),
    "php": (
        "tests/MadeToFailTest.php",
        "<?php\n\nreturn ['made to fail' => function (): void {\n"
        "    throw new RuntimeException('1 != 2');\n}];\n",
        "made to fail",
    ),
}


def _break_a_test(service: Path, language: str) -> str:
    """Add a failing test to SERVICE; return the name the test output must show."""
    path, code, marker = FAILING_TEST["node" if language == "static" else language]
    test = service / path
    test.write_text((test.read_text() if test.exists() else "") + code)
    return marker


@pytest.mark.parametrize("name", WITH_TEST_STAGE)
def test_test_target_fails_when_a_test_fails(
    name: str, engine: Engine, services: dict[str, Service], tmp_path: Path, say: Any
) -> None:
    service = services[name]
    broken = tmp_path / name
    shutil.copytree(service.path, broken, symlinks=True)
    marker = _break_a_test(broken, service.answers["language"])
    result = engine.run(
        "build", "--target", "test", "--progress", "plain", str(broken), check=False
    )
    assert result.returncode != 0, "the test stage passed although a test fails"
    assert marker in result.stderr, (
        f"the failing test is not named in the output:\n{result.stderr[-3000:]}"
    )
    say(f"{name}: with a failing test, `docker build --target test` fails")


def _health_status(engine: Engine, container: str) -> str:
    return engine.run("inspect", "--format", "{{.State.Health.Status}}", container).stdout.strip()


def _run_hardened(engine: Engine, image: str, container: str, port: int | None, *extra: str) -> int:
    """Start IMAGE read-only with no capabilities; return the host port its PORT is published on.
    EXTRA are more `docker run` options (a network, an alias)."""
    engine.run("rm", "--force", container, check=False)
    host_port = _free_port()
    run = [
        "run",
        "--detach",
        "--name",
        container,
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
    ]
    if port:
        run += ["--publish", f"127.0.0.1:{host_port}:{port}"]
    engine.run(*run, *extra, image)
    return host_port


def writable_folders(answers: dict[str, Any]) -> list[str]:
    """Where the folders of the writable_paths answer are in the image: relative ones under /app.
    The generated README says to give each a volume wherever the image runs read-only."""
    paths = str(answers.get("writable_paths") or "").split()
    return [path if path.startswith("/") else f"/app/{path}" for path in paths]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("name", sorted(ENGINE_COMBOS))
def test_prod_runs_hardened_as_its_uid_answers_health_and_stops_fast(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[name]
    uid, port = runtime_uid(service.answers), service.answers.get("port")
    container = f"scaffold-e2e-{name}"
    host_port = _run_hardened(engine, service.prod, container, port)
    try:
        started = time.monotonic()
        top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
        assert top and all(line.split()[0] == str(uid) for line in top), top
        if port:
            body = _get(f"http://127.0.0.1:{host_port}/healthz", deadline=started + 15)
            assert body.strip() == b"ok"
        deadline = started + 15 + 10  # start period, plus one interval for the first check
        while (status := _health_status(engine, container)) != "healthy":
            assert status in {"starting"}, f"health check went {status}"
            assert time.monotonic() < deadline, "HEALTHCHECK did not report healthy in time"
            time.sleep(0.5)
        healthy_after = time.monotonic() - started
        stop_started = time.monotonic()
        engine.run("stop", "--time", "10", container)
        stop_took = time.monotonic() - stop_started
        exit_code = engine.run("inspect", "--format", "{{.State.ExitCode}}", container).stdout
        say(
            f"{name}: uid {uid}, healthy after {healthy_after:.1f}s, stopped in {stop_took:.1f}s "
            f"(exit {exit_code.strip()})"
        )
        assert stop_took < 10, "the app ignored SIGTERM: docker stop had to kill it"
    finally:
        logs = engine.run("logs", container, check=False)
        engine.run("rm", "--force", container, check=False)
    assert "Traceback" not in logs.stdout + logs.stderr, logs.stdout + logs.stderr


# Programs a shell-less production image must not hold: shells and package managers.
NO_SUCH_PROGRAMS = {
    "a shell": {"sh", "bash", "dash", "ash", "busybox"},
    "a package manager": {
        "apt",
        "apt-get",
        "dpkg",
        "npm",
        "npx",
        "corepack",
        "yarn",
        "pnpm",
        "pip",
    },
}


@pytest.mark.parametrize("name", SHELLLESS)
def test_shellless_prod_has_no_shell_and_no_package_manager(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[name]
    ran = engine.run("run", "--rm", "--entrypoint", "sh", service.prod, "-c", "true", check=False)
    assert ran.returncode != 0, "`docker run --entrypoint sh` started a shell in the image"
    files, _ = _image_files(engine, service.prod, "app/")
    for what, programs in NO_SUCH_PROGRAMS.items():
        hits = [
            f
            for f in files
            if "/bin/" in "/" + f and f.rsplit("/", 1)[-1].removesuffix("3") in programs
        ]
        assert not hits, f"the production image holds {what}: {hits[:5]}"
    say(f"{name}: no shell (`--entrypoint sh` exits {ran.returncode}), no package manager")


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                assert response.status == 200
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _image_files(
    engine: Engine, image: str, under: str
) -> tuple[dict[str, tarfile.TarInfo], bytes]:
    """Every path in IMAGE's filesystem, and the contents of the files under UNDER, joined."""
    exported = engine.export(image)
    contents = []
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        members = {m.name.lstrip("./"): m for m in archive.getmembers()}
        for name, member in members.items():
            if name.startswith(under) and member.isfile():
                handle = archive.extractfile(member)
                contents.append(handle.read() if handle else b"")
    return members, b"".join(contents)


# Where each kind of image keeps the application (a folder, or the one binary; Rust's binary is
# named after the project, which is the service's folder name here).
APP_FILES = {"nginx": "usr/share/nginx/html/", "go": "server"}

# The folders a service writes to, owned by its uid (compose mounts a tmpfs over them too).
WRITABLE = {"app/.next/cache"}

FORBIDDEN = {
    "a compiler": ("usr/bin/gcc", "usr/bin/cc", "usr/bin/g++", "usr/bin/tsc"),
    "the planted .env": (".env",),
    "git history": (".git",),
}


@pytest.mark.parametrize("name", sorted(ENGINE_COMBOS))
def test_prod_image_holds_only_runtime_files(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[name]
    answers = service.answers
    workdir = APP_FILES.get(answers["serving"], APP_FILES.get(answers["language"], "app/"))
    if answers["language"] == "rust":
        workdir = service.name
    files, app_bytes = _image_files(engine, service.prod, workdir)
    found = sorted(files)
    for what, suffixes in FORBIDDEN.items():
        hits = [f for f in found if any(f == s or f.endswith("/" + s) for s in suffixes)]
        assert not hits, f"the production image contains {what}: {hits[:5]}"
    assert SECRET.encode() not in app_bytes, "the planted secret reached the application files"
    metadata = engine.run("inspect", service.prod).stdout
    history = engine.run("history", "--no-trunc", service.prod).stdout
    assert SECRET not in metadata + history, "the planted secret is in the image metadata"
    app_files = [f for f in found if f.startswith(workdir)]
    tests = [f for f in app_files if f.startswith((workdir + "tests/", workdir + "test/"))]
    assert not tests, f"test files shipped: {tests}"
    caches = [
        f
        for f in found
        if any(
            c in f
            for c in (
                "root/.cache/",
                "root/.npm/",
                "root/.local/share/pnpm",
                "root/.yarn",
                ".pytest_cache",
                "opt/corepack/",
                "opt/poetry/",
                "go/pkg/mod/",
                "usr/local/cargo/registry",
                "tmp/composer",
            )
        )
    ]
    assert not caches, f"package-manager caches or tools shipped: {caches[:5]}"
    if service.answers["language"] == "python":
        tools = ("/site-packages/pytest/", "/site-packages/uv/", "/site-packages/pip/")
        dev_only = [f for f in found if f.startswith("opt/venv/") and any(t in f for t in tools)]
        assert not dev_only, f"dev dependencies or installers in the virtualenv: {dev_only[:5]}"
        writable = [f for f, info in files.items() if f.startswith("opt/venv/") and info.uid != 0]
        assert not writable, f"virtualenv files not owned by root: {writable[:5]}"
    owned = [f for f in app_files if files[f].uid != 0 and f.rstrip("/") not in WRITABLE]
    assert not owned, f"application files the service could rewrite: {owned[:5]}"
    for path in WRITABLE & {f.rstrip("/") for f in found}:
        owner = files.get(path, files.get(path + "/")).uid
        assert owner == runtime_uid(answers), f"{path} not writable"
    if '\nENTRYPOINT ["tini", "--"]' in (service.path / "Dockerfile").read_text():
        # One root-owned executable file, without apt's lists or dpkg's records of an install.
        tini = files.get("usr/bin/tini")
        assert tini and tini.isfile() and tini.uid == 0 and tini.mode & 0o777 == 0o755, tini
        records = [f for f in found if f.startswith("var/lib/dpkg/info/tini")]
        assert not records, f"tini was installed in the production image: {records}"
    say(
        f"{name}: {len(found)} paths in the image; no compiler, tests, caches, dev dependencies, "
        f".env, .git or secret; application files owned by root"
    )


# BuildKit's plain progress: a step's first line names it, a cached step then says CACHED.
STEP = re.compile(r"^#(\d+) \[([^\]]+)\] ((?:RUN|COPY|ADD)\b.*)$", re.MULTILINE)


# A prod-only service's stages are those of its dev/test twin's production image; the shell-less
# families are built with dev/test only.
REBUILT = sorted(n for n, a in ENGINE_COMBOS.items() if not a["dev_test_prod"] or n in SHELLLESS)


@pytest.mark.parametrize("name", REBUILT)
def test_a_new_commit_rebuilds_only_the_labels(
    name: str, engine: Engine, services: dict[str, Service], say: Any
) -> None:
    """CI passes the commit as REVISION on every build: nothing but the labels may change, so
    every RUN and COPY of every stage comes from the cache and the layers are the same."""
    service = services[name]
    revision = "0123456789abcdef0123456789abcdef01234567"
    again = f"{service.prod}-next-commit"
    log = engine.run(
        "build",
        "--target",
        "prod",
        "--progress",
        "plain",
        "--build-arg",
        f"REVISION={revision}",
        "--tag",
        again,
        str(service.path),
    ).stderr
    try:
        steps = {number: f"[{stage}] {what}" for number, stage, what in STEP.findall(log)}
        cached = set(re.findall(r"^#(\d+) CACHED$", log, re.MULTILINE))
        rerun = [what for number, what in steps.items() if number not in cached]
        assert steps and not rerun, f"a new REVISION reran: {rerun}"
        layers = "{{json .RootFS.Layers}}"
        before = engine.run("image", "inspect", "--format", layers, service.prod).stdout
        after = engine.run("image", "inspect", "--format", layers, again).stdout
        assert before == after, "a new REVISION changed the image's layers"
        label = '{{index .Config.Labels "org.opencontainers.image.revision"}}'
        assert engine.run("image", "inspect", "--format", label, again).stdout.strip() == revision
    finally:
        engine.run("rmi", again, check=False)
    say(f"{name}: a new REVISION took {len(steps)} steps from the cache, same layers, new label")


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The reference registry (distribution) on 127.0.0.1 with htpasswd auth."""
    binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    if not Path(binary).is_file():
        pytest.skip("docker-registry is not installed (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("registry")
    user, token = "ci-user", "s3cret-token-for-tests"
    hashed = subprocess.run(
        ["htpasswd", "-Bbn", user, token], capture_output=True, text=True, check=True
    ).stdout
    (folder / "htpasswd").write_text(hashed)
    port = _free_port()
    (folder / "config.yml").write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {folder / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
        f"auth:\n  htpasswd:\n    realm: scaffold-tests\n    path: {folder / 'htpasswd'}\n"
    )
    process = subprocess.Popen(
        [binary, "serve", str(folder / "config.yml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://{address}/v2/", timeout=1)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the registry did not start"
        time.sleep(0.2)
    yield {"address": address, "user": user, "token": token}
    process.terminate()
    process.wait(timeout=10)


def _login(engine: Engine, registry: dict[str, str]) -> str:
    """`docker login` to the test registry, the token on stdin; what the client printed."""
    user, token = registry["user"], registry["token"]
    login = engine.run(
        "login", registry["address"], "--username", user, "--password-stdin", stdin=token
    )
    return str(login.stdout)


PUSHED = [
    "python-gunicorn-pip-dtp",
    "node-node-npm-dtp",
    "static-nginx-pnpm-prod-only",
    "go-scratch-gomod-prod-only",
]


@pytest.mark.parametrize("name", PUSHED)
def test_login_tag_push_rmi_pull_run_through_a_registry(
    name: str, engine: Engine, services: dict[str, Service], registry: dict[str, str], say: Any
) -> None:
    service = services[name]
    address = registry["address"]
    denied = engine.run("push", f"{address}/{service.answers['image']}:nope", check=False)
    assert denied.returncode != 0
    assert "Login Succeeded" in _login(engine, registry)
    # The tags the generated workflow's metadata rules give a release and a push to main.
    workflow = yaml.load((service.path / WORKFLOW).read_text(), Loader=yaml.BaseLoader)
    sha = git(service.path, "rev-parse", "HEAD").strip()
    tags = list(
        dict.fromkeys(
            tags_for(workflow, "refs/tags/v1.2.3", sha) + tags_for(workflow, "refs/heads/main", sha)
        )
    )
    assert {"1.2.3", "1.2", "1", "main", "latest", f"sha-{sha[:7]}"} == set(tags), tags
    repository = f"{address}/{service.answers['image']}"
    built = engine.run("image", "inspect", "--format", "{{.Id}}", service.prod).stdout.strip()
    for tag in tags:
        engine.run("tag", service.prod, f"{repository}:{tag}")
        engine.run("push", f"{repository}:{tag}")
        engine.run("rmi", f"{repository}:{tag}")
    remote = f"{repository}:1.2.3"
    assert engine.run("image", "inspect", remote, check=False).returncode != 0
    for tag in tags:
        engine.run("pull", f"{repository}:{tag}")
        pulled = engine.run("image", "inspect", "--format", "{{.Id}}", f"{repository}:{tag}")
        assert pulled.stdout.strip() == built, f"{tag} is not the image that was pushed"
    port = service.answers.get("port")
    container = f"scaffold-pulled-{name}"
    host_port = _run_hardened(engine, remote, container, port)
    try:
        if port:
            assert (
                _get(f"http://127.0.0.1:{host_port}/healthz", time.monotonic() + 15).strip()
                == b"ok"
            )
        else:
            assert (
                engine.run("inspect", "--format", "{{.State.Running}}", container).stdout.strip()
                == "true"
            )
    finally:
        engine.run("rm", "--force", container, check=False)
        for tag in tags:
            engine.run("rmi", f"{repository}:{tag}", check=False)
        engine.run("logout", address, check=False)
    say(
        f"{name}: push refused before login; login --password-stdin, then the workflow's tags "
        f"{', '.join(tags)} pushed, removed, pulled back (same image id) and {remote} run"
    )


def _registry_call(
    registry: dict[str, str], method: str, path: str, data: bytes | None = None, **headers: str
) -> urllib.response.addinfourl:
    token = base64.b64encode(f"{registry['user']}:{registry['token']}".encode()).decode()
    url = path if path.startswith("http") else f"http://{registry['address']}{path}"
    request = urllib.request.Request(url, data=data, method=method)
    for header, value in {"Authorization": f"Basic {token}", **headers}.items():
        request.add_header(header.replace("_", "-"), value)
    return urllib.request.urlopen(request, timeout=60)


def _push_by_digest(engine: Engine, image: str, registry: dict[str, str], repository: str) -> str:
    """What the build step's `push-by-digest=true` output does, for an image the engine built: its
    config, layers and manifest uploaded under no tag. (BuildKit inside dockerd refuses
    push-by-digest, so the image goes from `docker save`, an OCI layout since Docker 25.)"""
    saved = subprocess.run(
        [engine.client, "save", image], env=engine.env, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(saved)) as archive:

        def blob(digest: str) -> bytes:
            handle = archive.extractfile(f"blobs/sha256/{digest.removeprefix('sha256:')}")
            assert handle is not None
            return handle.read()

        index = archive.extractfile("index.json")
        assert index is not None
        (descriptor,) = json.load(index)["manifests"]
        manifest = json.loads(blob(descriptor["digest"]))
        for part in (manifest["config"], *manifest["layers"]):
            started = _registry_call(registry, "POST", f"/v2/{repository}/blobs/uploads/")
            location = started.headers["Location"]
            joiner = "&" if "?" in location else "?"
            _registry_call(
                registry,
                "PUT",
                f"{location}{joiner}digest={part['digest']}",
                blob(part["digest"]),
                Content_Type="application/octet-stream",
            )
        answer = _registry_call(
            registry,
            "PUT",
            f"/v2/{repository}/manifests/{descriptor['digest']}",
            blob(descriptor["digest"]),
            Content_Type=descriptor["mediaType"],
        )
    return str(answer.headers["Docker-Content-Digest"])


MANIFESTS = ", ".join(
    f"application/vnd.{kind}"
    for kind in (
        "oci.image.manifest.v1+json",
        "oci.image.index.v1+json",
        "docker.distribution.manifest.v2+json",
        "docker.distribution.manifest.list.v2+json",
    )
)


def _registry_tags(registry: dict[str, str], repository: str) -> dict[str, str]:
    """Each tag of REPOSITORY in the registry, with the digest of the manifest it names."""
    try:
        listed = json.load(_registry_call(registry, "GET", f"/v2/{repository}/tags/list"))
    except urllib.error.HTTPError as error:
        assert error.code == 404, error  # a repository holding only a digest has no tag list
        return {}
    return {
        tag: _registry_call(
            registry, "HEAD", f"/v2/{repository}/manifests/{tag}", Accept=MANIFESTS
        ).headers["Docker-Content-Digest"]
        for tag in listed.get("tags") or []
    }


@pytest.mark.parametrize("name", PUSHED)
def test_the_publish_job_tags_the_registry_only_after_every_platform_scan_passes(
    name: str,
    engine: Engine,
    services: dict[str, Service],
    registry: dict[str, str],
    *,
    tmp_path: Path,
    say: Any,
) -> None:
    """The generated publish job run against the loopback registry: the build step's push by
    digest and the job's own `docker buildx imagetools create` step are real, the scanner is a
    stand-in that reads the pushed digest and passes or fails."""
    service = services[name]
    workflow = yaml.load((service.path / WORKFLOW).read_text(), Loader=yaml.BaseLoader)
    assert service.answers["scan"], f"{name} has no scan to gate its tags"
    repository = f"gated/{name}"
    data = {**workflow, "env": {**workflow["env"], "IMAGE": f"{registry['address']}/{repository}"}}
    pushed: list[str] = []

    def push(image: str) -> str:
        pushed.append(_push_by_digest(engine, service.prod, registry, repository))
        return pushed[-1]

    def scan(reference: str) -> None:  # the scanner pulls what it scans: the digest must be there
        digest = reference.rsplit("@", 1)[1]
        _registry_call(registry, "HEAD", f"/v2/{repository}/manifests/{digest}", Accept=MANIFESTS)

    stage = Stage(push=push, scan=scan, docker_env=engine.env)
    _login(engine, registry)
    ref = "refs/tags/v1.2.3"
    expected = tags_for(data, ref, SHA)
    try:
        for platform in platforms(data):
            failed = run_publish(data, ref, {platform}, tmp_path, stage)
            assert failed.scanned == [platform], "the scan did not stop the job"
            assert _registry_tags(registry, repository) == {}, f"a failing {platform} scan tagged"
        passed = run_publish(data, ref, set(), tmp_path, stage)
        assert passed.scanned == platforms(data)
        tagged = _registry_tags(registry, repository)
        assert tagged == dict.fromkeys(expected, pushed[-1]), "tags other than on the digest"
        assert len(set(pushed)) == 1, "the same image pushed twice gave two digests"
        # Each tag, pulled, is the image the engine built.
        built = engine.run("image", "inspect", "--format", "{{.Id}}", service.prod).stdout.strip()
        reference = f"{data['env']['IMAGE']}:{expected[0]}"
        engine.run("pull", reference)
        pulled = engine.run("image", "inspect", "--format", "{{.Id}}", reference).stdout.strip()
        assert pulled == built
    finally:
        engine.run("rmi", f"{data['env']['IMAGE']}:{expected[0]}", check=False)
        engine.run("logout", registry["address"], check=False)
    say(
        f"{name}: pushed by digest {pushed[-1][:19]}; a failing scan left no tag, a passing one "
        f"tagged {', '.join(expected)} on that digest with the job's own imagetools step"
    )


def test_private_index_secret_is_read_and_leaves_no_trace(
    engine: Engine, services: dict[str, Service], tmp_path: Path, say: Any
) -> None:
    """The dependency install reads registry credentials from a BuildKit secret mount, and the
    secret ends up in no layer, no history and no image metadata."""
    service = services["python-gunicorn-pip-prod-only"]
    canary = f"scaffold-canary-{os.getpid()}-{time.time_ns()}"
    cert = "cert = /etc/ssl/certs/ca-certificates.crt\n"
    unreachable = tmp_path / "unreachable.conf"
    unreachable.write_text(
        f"[global]\n{cert}index-url = http://127.0.0.1:9/simple\nretries = 0\ntimeout = 2\n"
    )
    # BuildKit's cache key ignores secret contents: --no-cache makes each build read its secret.
    refused = engine.run(
        "build",
        "--no-cache",
        "--progress",
        "plain",
        "--secret",
        f"id=pip-conf,src={unreachable}",
        str(service.path),
        check=False,
    )
    assert refused.returncode != 0, "the install ignored the pip-conf secret"
    assert "127.0.0.1:9" in refused.stderr, refused.stderr[-2000:]

    working = tmp_path / "pip.conf"
    working.write_text(f"[global]\n{cert}index-url = https://pypi.org/simple\n# token: {canary}\n")
    image = "scaffold-e2e/with-secret:prod"
    engine.run(
        "build",
        "--no-cache",
        "--secret",
        f"id=pip-conf,src={working}",
        "--tag",
        image,
        str(service.path),
    )
    try:
        saved = subprocess.run(
            [engine.client, "save", image], env=engine.env, capture_output=True, check=True
        ).stdout
        layers = 0
        with tarfile.open(fileobj=io.BytesIO(saved)) as archive:
            for member in archive.getmembers():
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None:
                    layers += member.name.endswith(".tar")
                    assert canary.encode() not in handle.read(), f"the secret is in {member.name}"
        metadata = (
            engine.run("inspect", image).stdout + engine.run("history", "--no-trunc", image).stdout
        )
        assert canary not in metadata, "the secret is in the image metadata or history"
    finally:
        engine.run("rmi", "--force", image, check=False)
    say(
        f"pip-conf secret: an unreachable index in it fails the build; with a working one the "
        f"image builds and its canary is in none of its {layers} layers, history or metadata"
    )


@pytest.mark.parametrize("name", ["node-node-pnpm-dtp", "node-next-yarn-dtp"])
def test_pnpm_and_yarn_services_build_and_serve_on_node_26(
    name: str, engine: Engine, kit: Kit | None, tmp_path: Path, say: Any
) -> None:
    """Node.js 25 and newer images ship no corepack: the pm stage brings its own, pinned, and the
    service builds, passes its tests and serves on the Node.js 26 that Dependabot will propose."""
    answers = {**ENGINE_COMBOS[name], "language_version": "26"}
    home = tmp_path / "home"
    home.mkdir()
    service = generate(name, answers, tmp_path, home)
    dockerfile = (service / "Dockerfile").read_text()
    for image in sorted(base_images(dockerfile)):
        if kit is not None:
            kit.provide(image)
    probe = ["run", "--rm", "--entrypoint", "sh", "node:26-slim", "-c", "command -v corepack"]
    lacks = engine.run(*probe, check=False)
    assert lacks.returncode != 0, "the node:26-slim in use still has corepack: nothing is proven"
    pinned = re.search(r"corepack@([0-9.]+)", dockerfile)
    assert pinned, "the pm stage pins no corepack"
    tag = f"scaffold-e2e/{name}-node26"
    try:
        engine.run("build", "--target", "test", str(service))
        engine.run("build", "--target", "prod", "--tag", f"{tag}:prod", str(service))
        engine.run("build", "--target", "pm", "--tag", f"{tag}:pm", str(service))
        corepack = engine.run("run", "--rm", "--entrypoint", "corepack", f"{tag}:pm", "--version")
        assert corepack.stdout.strip() == pinned.group(1)
        node = engine.run("run", "--rm", "--entrypoint", "node", f"{tag}:prod", "--version")
        assert node.stdout.startswith("v26."), node.stdout
        container = f"scaffold-e2e-{name}-node26"
        host_port = _run_hardened(engine, f"{tag}:prod", container, answers["port"])
        try:
            body = _get(f"http://127.0.0.1:{host_port}/healthz", deadline=time.monotonic() + 15)
            assert body.strip() == b"ok"
        finally:
            engine.run("rm", "--force", container, check=False)
    finally:
        engine.run("rmi", "--force", f"{tag}:prod", f"{tag}:pm", check=False)
    say(
        f"{name} on Node.js {node.stdout.strip()} (no corepack in the image): corepack "
        f"{pinned.group(1)} from the npm registry, tests pass, /healthz answers read-only"
    )


def _wait_healthy(engine: Engine, container: str, deadline: float) -> None:
    while (status := _health_status(engine, container)) != "healthy":
        assert status == "starting", f"{container}: health check went {status}"
        assert time.monotonic() < deadline, f"{container}: HEALTHCHECK did not report healthy"
        time.sleep(0.5)


def test_php_fpm_serves_through_its_nginx_web_target(
    engine: Engine, kit: Kit | None, tmp_path_factory: pytest.TempPathFactory, say: Any
) -> None:
    """PHP-FPM speaks FastCGI: the prod image runs beside the `web` target (nginx), as compose
    runs them, and the pair answers HTTP, both hardened, both as the configured uid."""
    answers = next(
        a
        for a in combinations()
        if a["serving"] == "fpm" and not a["dev_test_prod"] and a["ci"] == "github"
    )
    name = "php-fpm-composer-prod-only"
    path = generate(
        name, answers, tmp_path_factory.mktemp("fpm"), tmp_path_factory.mktemp("fpm-home")
    )
    if kit is not None:
        for image in sorted(base_images((path / "Dockerfile").read_text())):
            kit.provide(image)
    app, web = f"scaffold-e2e/{name}:prod", f"scaffold-e2e/{name}:web"
    engine.run("build", "--target", "prod", "--tag", app, str(path))
    engine.run("build", "--target", "web", "--tag", web, str(path))
    network = f"scaffold-e2e-{name}"
    engine.run("network", "create", network)
    containers = [f"scaffold-e2e-{name}-app", f"scaffold-e2e-{name}-web"]
    try:
        started = time.monotonic()
        _run_hardened(
            engine, app, containers[0], None, "--network", network, "--network-alias", "app"
        )
        host_port = _run_hardened(engine, web, containers[1], answers["port"], "--network", network)
        assert _get(f"http://127.0.0.1:{host_port}/healthz", started + 15).strip() == b"ok"
        assert b"Hello from" in _get(f"http://127.0.0.1:{host_port}/", started + 15)
        for container in containers:
            top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
            assert top and all(line.split()[0] == str(answers["uid"]) for line in top), top
            _wait_healthy(engine, container, started + 25)
        stop_started = time.monotonic()
        for container in containers:
            engine.run("stop", "--time", "10", container)
        stop_took = time.monotonic() - stop_started
    finally:
        for container in containers:
            engine.run("rm", "--force", container, check=False)
        engine.run("network", "rm", network, check=False)
        engine.run("rmi", "--force", app, web, check=False)
    assert stop_took < 10
    say(
        f"{name}: nginx (web target) -> PHP-FPM (prod) answers /healthz and /, both as uid "
        f"{answers['uid']} on read-only roots, both healthy, stopped in {stop_took:.1f}s"
    )


# Fixture projects (tests/projects) that `scaffold init` sets up and this engine proves: the
# answers a user gives on top of what detection reads (their ports and health routes are their
# own), per project.
INIT_PROJECTS: dict[str, list[str]] = {
    "python-flask": ["health_path=/health"],
    "node-express": ["health_path=/health"],
    "go-cmd": ["port=9000"],
    "rust-bin": ["port=7000"],
    "php-slim": ["health_path=/health"],
    "node-ts-express": ["health_path=/health"],
    "python-flask-factory": ["health_path=/health"],
    "static-vite": [],
    "node-yarn-classic": ["health_path=/health"],
    "node-next": ["health_path=/health"],
    "django-site": ["health_path=/health"],
    "node-fastify-pnpm7": ["health_path=/health"],
    "node-sqlite": ["health_path=/health"],
}
# What a fixture serves besides /health, and how it runs in production: Django with DEBUG off
# needs collectstatic's manifest for the home page's stylesheet link, and WhiteNoise serves it.
INIT_ROUTES: dict[str, list[str]] = {
    "django-site": ["/", "/static/css/styles.css"],
    "node-sqlite": ["/items"],  # a query on the database file, through sqlite3's compiled addon
}
INIT_ENV: dict[str, list[str]] = {"django-site": ["--env", "DJANGO_DEBUG=False"]}
# Credentials a developer's checkout holds that no image layer may carry.
PLANTED = [".env", ".npmrc", ".pypirc", ".aws/credentials", ".ssh/id_ed25519"]


@pytest.mark.parametrize("name", sorted(INIT_PROJECTS))
def test_init_on_an_existing_project_builds_tests_and_serves(
    name: str, engine: Engine, kit: Kit | None, home: Path, say: Any
) -> None:
    project = home.parent / name
    shutil.copytree(Path(__file__).parent / "projects" / name, project)
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    for planted in PLANTED:  # in the working tree, as on a developer's machine
        (project / planted).parent.mkdir(parents=True, exist_ok=True)
        (project / planted).write_text(SECRET + "\n")
    data = [arg for pair in INIT_PROJECTS[name] for arg in ("--data", pair)]
    result = run_scaffold("init", project, "--defaults", *data, home=home)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    dockerfile = (project / "Dockerfile").read_text()
    # The team keeps a .dockerignore of its own that lets everything in: the Dockerfile alone
    # must keep logins, version control, CI and scaffold's files out of every image.
    (project / ".dockerignore").write_text("node_modules\n")
    if kit is not None:
        for image in sorted(base_images(dockerfile)):
            kit.provide(image)
    if answers["dev_test_prod"]:
        engine.run("build", "--target", "test", "--quiet", str(project))
    prod = f"scaffold-e2e/init-{name}:prod"
    engine.run("build", "--tag", prod, str(project))
    container = f"scaffold-e2e-init-{name}"
    # Run as compose runs it: its tmpfs mounts on the read-only root, and a new volume for each
    # folder the service writes.
    tmpfs = [
        arg
        for service in yaml.safe_load((project / "compose.yaml").read_text())["services"].values()
        if service.get("build", {}).get("target") == "prod"
        for path in service.get("tmpfs", [])
        if path != "/tmp"
        for arg in ("--tmpfs", path)
    ]
    writable = writable_folders(answers)
    volumes = [arg for path in writable for arg in ("--volume", path)]
    extra = [*tmpfs, *volumes, *INIT_ENV.get(name, [])]
    host_port = _run_hardened(engine, prod, container, answers["port"], *extra)
    try:
        started = time.monotonic()
        # The project's route (health_path, when asked), or the one nginx.conf answers.
        route = answers.get("health_path") or (
            "/healthz" if answers["serving"] == "nginx" else "/health"
        )
        assert _get(f"http://127.0.0.1:{host_port}{route}", started + 20).strip() == b"ok"
        for other in INIT_ROUTES.get(name, []):
            assert _get(f"http://127.0.0.1:{host_port}{other}", started + 20)
        for path in writable:  # the uid may write there, in a read-only container
            engine.run("exec", container, "touch", f"{path}/written-at-run-time")
        top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
        assert top and all(line.split()[0] == str(answers["uid"]) for line in top), top
        if answers["serving"] == "next":  # a page, and an optimised image in .next/cache
            assert b"Storefront" in _get(f"http://127.0.0.1:{host_port}/", started + 20)
            image = "/_next/image?url=%2Flogo.png&w=64&q=75"
            assert _get(f"http://127.0.0.1:{host_port}{image}", started + 20)
            logs = engine.run("logs", container).stderr
            assert "EACCES" not in logs and "EROFS" not in logs, logs
        checked = "\nHEALTHCHECK " in dockerfile
        if checked:
            _wait_healthy(engine, container, started + 30)
        members, _ = _image_files(engine, prod, under="-")
        # The project's own CI and answers files (packages may ship a .github of their own).
        kept_out = {".git", ".github", ".copier-answers.yml"}
        shipped = [
            n
            for n in members
            if (n.rstrip("/").split("/")[-1] in kept_out and "node_modules/" not in n)
            or any(n.endswith(p) for p in PLANTED)
        ]
        assert not shipped, f"the project's secrets reached the image: {shipped}"
        if answers.get("native_modules"):  # the addon compiled in a build stage, not the compiler
            assert any(n.endswith(".node") and "node_modules/" in n for n in members)
            compilers = [n for n in members if n in FORBIDDEN["a compiler"]]
            assert not compilers, f"the build stages' compilers reached the image: {compilers}"
        stopping = time.monotonic()
        engine.run("stop", container)
        stop_took = time.monotonic() - stopping
        # Node.js, Go and Rust programs run under tini, and gunicorn handles SIGTERM: none waits
        # for the kill, with or without a SIGTERM handler of its own.
        if answers["language"] in {"node", "python", "go", "rust"}:
            assert stop_took < 2, stop_took
    finally:
        engine.run("rm", "--force", "--volumes", container, check=False)
        engine.run("rmi", "--force", prod, check=False)
    say(
        f"init {name}: {'test target passes, ' if answers['dev_test_prod'] else ''}prod serves "
        f"{route} on {answers['port']} as uid "
        f"{answers['uid']}{', HEALTHCHECK healthy' if checked else ''}"
        f"{', serves ' + ' '.join(INIT_ROUTES[name]) if name in INIT_ROUTES else ''}"
        f"{', writes ' + ' '.join(writable) if writable else ''}; no planted secret, "
        f".git, .github or answers file inside, with a .dockerignore that lets them in; "
        f"stopped in {stop_took:.1f}s"
    )
