"""A uv workspace member on the real engine: `scaffold init backend` builds from the workspace root
(its uv.lock), the test and prod targets pass, the image serves, and the sibling folders of the
repository (the web front end) never reach the image."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_engine import PLANTED, SECRET, _get, _image_files, _run_hardened

from engine import Engine
from helpers import git, git_save, run_scaffold
from kit import Kit, base_images

pytestmark = pytest.mark.engine

PROJECTS = Path(__file__).parent / "projects"


def _init_member(
    root: Path, member: Path, data: list[str], home: Path, kit: Kit | None
) -> tuple[dict[str, Any], str]:
    """`scaffold init --defaults` in MEMBER of the workspace at ROOT, a git repository whose
    working tree holds a developer's logins (in the member and at the root); its answers and
    Dockerfile, the base images it names provided."""
    git(root, "init", "--quiet", "--initial-branch=main")
    git_save(root, "the team's workspace")
    for planted in PLANTED:
        for where in (member, root):
            (where / planted).parent.mkdir(parents=True, exist_ok=True)
            (where / planted).write_text(SECRET + "\n")
    given = [arg for pair in data for arg in ("--data", pair)]
    result = run_scaffold("init", member, "--defaults", *given, home=home)
    assert result.returncode == 0, result.stderr
    dockerfile = (member / "Dockerfile").read_text()
    if kit is not None:
        for image in sorted(base_images(dockerfile)):
            kit.provide(image)
    return yaml.safe_load((member / ".copier-answers.yml").read_text()), dockerfile


def test_init_on_a_uv_workspace_member_builds_from_the_workspace_root(
    engine: Engine, kit: Kit | None, home: Path, say: Any
) -> None:
    root = home.parent / "catalog"
    shutil.copytree(PROJECTS / "uv-workspace", root)
    member = root / "backend"
    answers, _ = _init_member(root, member, ["health_path=/api/health"], home, kit)
    # As the workflow builds it: the workspace root as context, the member's Dockerfile.
    where = ["--file", str(member / "Dockerfile"), str(root)]
    started = time.monotonic()
    engine.run("build", "--target", "test", "--quiet", *where)
    prod = "scaffold-e2e/init-uv-workspace:prod"
    engine.run("build", "--tag", prod, *where)
    built = time.monotonic() - started
    container = "scaffold-e2e-init-uv-workspace"
    host_port = _run_hardened(engine, prod, container, answers["port"])
    try:
        deadline = time.monotonic() + 20
        assert _get(f"http://127.0.0.1:{host_port}/api/health", deadline).strip() == b"ok"
        assert b'"sku":"A-1"' in _get(f"http://127.0.0.1:{host_port}/api/items", deadline)
        members, _ = _image_files(engine, prod, under="-")
        app = sorted(n for n in members if n.startswith("app/") and "__pycache__" not in n)
        assert "app/app/main.py" in app and "app/pyproject.toml" in app
        front = [n for n in members if n.endswith(("/package.json", "/build.js"))]
        assert not front and not any(n.startswith("app/frontend") for n in members), front
        assert "app/uv.lock" not in members
        assert not any(n.startswith("app/backend") for n in members), "the member goes to /app"
        shipped = [n for n in members if any(n.endswith(p) for p in PLANTED)]
        shipped += [n for n in app if n.endswith((".copier-answers.yml", "Dockerfile"))]
        assert not shipped, f"the member's secrets or setup files reached the image: {shipped}"
        venv = [n for n in members if n.startswith("opt/venv/lib/") and "/site-packages/" in n]
        installed = {n.split("/site-packages/")[1].split("/")[0] for n in venv}
        assert "fastapi" in installed and "uvicorn" in installed
        assert not any(p.startswith(("pytest", "ruff", "catalog")) for p in installed), installed
    finally:
        engine.run("rm", "--force", container, check=False)
        engine.run("rmi", "--force", prod, check=False)
    say(
        f"init uv workspace member: test and prod targets built from the workspace root in "
        f"{built:.1f}s; prod serves /api/health and /api/items; no front end, lockfile, planted "
        "secret or setup file in the image; only the member's runtime dependencies installed"
    )


# A package of an npm, pnpm or Yarn workspace: (fixture, the member's folder, a route besides
# the health route, what it answers, the workspace packages built first). Each workspace also has
# a front end with a dependency of its own.
NODE_WORKSPACES = {
    "node-pnpm-workspace": ("apps/api", "/books", b"The Pragmatic Programmer", "@shelf/shared"),
    # Its front end, a static site whose build lists the shelf through the shared package.
    "node-pnpm-workspace/apps/web": (
        "apps/web",
        "/",
        b"<li>The Pragmatic Programmer</li>",
        "@shelf/shared",
    ),
    "node-npm-workspace": ("packages/server", "/tasks", b"Write the Dockerfile", "@tasks/core"),
    "node-yarn-workspace": ("packages/server", "/tasks", b"Write the Dockerfile", "@tasks/core"),
    "node-yarn1-workspace": ("packages/server", "/tasks", b"Write the Dockerfile", "@tasks/core"),
    # create-turbo's shape: Next.js with a next.config.ts, a UI package shipping TypeScript source.
    "node-next-workspace": ("apps/web", "/", b"Add to cart", ""),
    # The same app with `output: "standalone"`: server.js sits in apps/web of the traced tree.
    "node-next-workspace/standalone": ("apps/web", "/", b"Add to cart", ""),
}


@pytest.mark.parametrize("name", sorted(NODE_WORKSPACES))
def test_init_on_a_node_workspace_package_builds_it_with_the_packages_it_uses(
    name: str, engine: Engine, kit: Kit | None, home: Path, say: Any
) -> None:
    """From the workspace root (its lockfile), the sibling package it uses built first."""
    folder, route, expected, builds = NODE_WORKSPACES[name]
    fixture = name.split("/", maxsplit=1)[0]
    root = home.parent / fixture
    shutil.copytree(PROJECTS / fixture, root)
    if name.endswith("/standalone"):
        config = root / folder / "next.config.ts"
        config.write_text(config.read_text().replace("= {};", '= { output: "standalone" };'))
    member = root / folder
    # The server's health route, a user's answer; nginx answers its own.
    data = [] if name == "node-pnpm-workspace/apps/web" else ["health_path=/health"]
    answers, dockerfile = _init_member(root, member, data, home, kit)
    health = "/healthz" if answers["serving"] == "nginx" else "/health"  # nginx.conf's own
    assert answers["workspace_member"] == folder
    assert answers.get("workspace_builds", "") == builds
    where = ["--file", str(member / "Dockerfile"), str(root)]  # as the workflow builds it
    started = time.monotonic()
    if answers["dev_test_prod"]:  # the front end has no tests
        engine.run("build", "--target", "test", "--quiet", *where)
    tag = name.replace("/", "-")
    prod = f"scaffold-e2e/init-{tag}:prod"
    engine.run("build", "--tag", prod, *where)
    built = time.monotonic() - started
    container = f"scaffold-e2e-init-{tag}"
    # As compose runs it: a tmpfs where Next.js writes its caches, on the read-only root.
    services = yaml.safe_load((member / "compose.yaml").read_text())["services"].values()
    tmpfs = [
        arg
        for service in services
        if service["build"]["target"] == "prod"
        for path in service.get("tmpfs", [])
        if path != "/tmp"
        for arg in ("--tmpfs", path)
    ]
    host_port = _run_hardened(engine, prod, container, answers["port"], *tmpfs)
    try:
        deadline = time.monotonic() + 30
        assert _get(f"http://127.0.0.1:{host_port}{health}", deadline).strip() == b"ok"
        # The route answers through the sibling package's build output.
        assert expected in _get(f"http://127.0.0.1:{host_port}{route}", deadline)
        top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
        assert top and all(line.split()[0] == str(answers["uid"]) for line in top), top
        members, _ = _image_files(engine, prod, under="-")
        shipped = [
            n
            for n in members
            if any(n.endswith(p) for p in PLANTED)
            or (
                (n.split("/")[-1] in {".git", ".github", ".copier-answers.yml", "Dockerfile"})
                and "node_modules/" not in n
            )
        ]
        assert not shipped, f"secrets or setup files reached the image: {shipped}"
        if answers["serving"] == "next":  # an optimised image, written to .next/cache
            image = "/_next/image?url=%2Flogo.png&w=64&q=75"
            assert _get(f"http://127.0.0.1:{host_port}{image}", deadline)
            logs = engine.run("logs", container).stderr
            assert "EACCES" not in logs and "EROFS" not in logs, logs
        # Production dependencies only: no compiler or test library of any package. `next start`
        # loads next.config again, so that image keeps them (its comment says); Next.js's
        # standalone trace of a next.config.ts takes TypeScript along, nothing else.
        kept = answers["serving"] == "next" and not answers["next_standalone"]
        assert not kept or "Every dependency stays,\n# dev ones too" in dockerfile
        unwanted = {"supertest", "@types"} | (
            {"typescript"} if answers["serving"] != "next" else set()
        )
        dev = [n for n in members if n.split("/node_modules/")[-1].split("/")[0] in unwanted]
        assert kept or not dev, dev[:5]
        # Nor the front end's (left-pad): the service's and its workspace packages' only. Yarn 1
        # has no such install, and says so in the Dockerfile.
        if not answers.get("yarn_classic"):
            assert not [n for n in members if "/node_modules/left-pad/" in n]
        else:
            assert "every package's (Yarn 1 cannot" in dockerfile
        stopping = time.monotonic()
        engine.run("stop", container)
        stop_took = time.monotonic() - stopping
        assert stop_took < 2, stop_took
    finally:
        engine.run("rm", "--force", container, check=False)
        engine.run("rmi", "--force", prod, check=False)
    say(
        f"init {name} ({folder}): "
        f"{'test and prod targets' if answers['dev_test_prod'] else 'prod target'} built from "
        f"the workspace root in {built:.1f}s, "
        f"{builds or 'no workspace package'} built first; prod serves {health} and "
        f"{route} as uid {answers['uid']} read-only, stopped in {stop_took:.1f}s; no planted "
        "secret or setup file, "
        f"{'dev dependencies kept for next start' if kept else 'no dev dependency'}"
        " in the image"
    )
