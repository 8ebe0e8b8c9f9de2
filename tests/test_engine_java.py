"""The Java production image on a shell-less runtime (runtime_base distroless or hardened).

Java's build stages cannot run on these machines (Maven Central is unreachable, see
engine.NOT_BUILDABLE_HERE), so the production stage is built as generated on a `build` stage
the test supplies: the skeleton compiled with the JDK stand-in's javac into the paths the
generated `build` stage leaves (BuildKit's `--build-context build=DIR` replaces that stage). Every
instruction of the `prod` stage runs as written, on the stand-in of the family's JRE image.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from test_engine import NO_SUCH_PROGRAMS, _get, _image_files, _run_hardened

from engine import Engine
from generated import generate
from helpers import combinations
from kit import Kit, base_images

pytestmark = pytest.mark.engine

JDK = "maven:3.9-eclipse-temurin-25"  # the JDK stand-in (Debian's OpenJDK 25), for javac only


def _compile_skeleton(engine: Engine, service: Path, out: Path) -> None:
    """OUT/build/target/app.jar and an empty lib/: what the generated Maven build stage leaves."""
    (out / "build/target/lib").mkdir(parents=True)
    engine.run(
        "run",
        "--rm",
        "--network",
        "none",
        "--volume",
        f"{service}:/src:ro",
        "--volume",
        f"{out}/build/target:/out",
        "--workdir",
        "/src",
        JDK,
        "sh",
        "-c",
        "javac --release 25 -d /tmp/classes $(find src/main/java -name '*.java')"
        " && jar --create --file /out/app.jar -C /tmp/classes .",
    )


@pytest.mark.parametrize("family", ["distroless", "hardened"])
def test_java_shellless_prod_serves_read_only_as_65532_with_no_shell(
    family: str, engine: Engine, kit: Kit | None, tmp_path: Path, say: Any
) -> None:
    answers = next(
        a
        for a in combinations()
        if (a["language"], a.get("runtime_base"), a["package_manager"]) == ("java", family, "maven")
        and a["dev_test_prod"]
    )
    (tmp_path / "home").mkdir()
    service = generate(f"java-{family}", answers, tmp_path, tmp_path / "home")
    dockerfile = (service / "Dockerfile").read_text()
    if kit is not None:
        kit.provide(JDK)
        for image in sorted(base_images(dockerfile)):
            kit.provide_or_placeholder(image)
    built = tmp_path / "built"
    _compile_skeleton(engine, service, built)
    image = f"scaffold-e2e/java-{family}:prod"
    engine.run(
        "build", "--build-context", f"build={built}", "--target", "prod", "--tag", image,
        str(service),
    )  # fmt: skip
    container = f"scaffold-e2e-java-{family}"
    try:
        config = engine.run(
            "image", "inspect", "--format", "{{json .Config.Healthcheck}}", image
        ).stdout.strip()
        assert config == "null", "the image has no HEALTHCHECK (README: probe /healthz over HTTP)"
        shell = engine.run("run", "--rm", "--entrypoint", "sh", image, "-c", "true", check=False)
        assert shell.returncode != 0, "`docker run --entrypoint sh` started a shell in the image"
        files, _ = _image_files(engine, image, "app/")
        app = {name: m for name, m in files.items() if name.startswith("app/")}
        assert "app/app.jar" in app and all(m.uid == 0 for m in app.values()), "code owned by root"
        programs = set().union(*NO_SUCH_PROGRAMS.values())
        hits = [f for f in files if "/bin/" in "/" + f and f.rsplit("/", 1)[-1] in programs]
        assert not hits, f"a shell or package manager in the production image: {hits[:5]}"
        host_port = _run_hardened(engine, image, container, 8080)
        started = time.monotonic()
        body = _get(f"http://127.0.0.1:{host_port}/healthz", deadline=started + 30)
        assert body.strip() == b"ok"
        served_after = time.monotonic() - started
        top = engine.run("top", container, "-eo", "uid,pid,args").stdout.splitlines()[1:]
        assert top and all(line.split()[0] == "65532" for line in top), top
        stop_started = time.monotonic()
        engine.run("stop", "--time", "10", container)
        stop_took = time.monotonic() - stop_started
        assert stop_took < 10, "the JVM ignored SIGTERM: docker stop had to kill it"
        size = int(engine.run("image", "inspect", "--format", "{{.Size}}", image).stdout)
        say(
            f"java-{family}: read-only as 65532, /healthz after {served_after:.1f}s, no shell "
            f"(`--entrypoint sh` exits {shell.returncode}), stopped in {stop_took:.1f}s, "
            f"{size / 1e6:.0f} MB on the stand-in"
        )
    finally:
        engine.run("rm", "--force", container, check=False)
        engine.run("rmi", "--force", image, check=False)
