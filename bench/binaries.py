"""Image size against binary size for the compiled languages the engine tests build.

    python bench/binaries.py

For each buildable Go and Rust combination it generates the service, builds the production image
on the test kit's stand-in bases and reports the image size, the size of the service binary inside
it and the difference. Target: a static image (scratch, distroless) is at most its binary plus
3 MB. The table goes to BENCHMARKS.md.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from cli import write_section  # noqa: E402
from test_engine import _image_files  # noqa: E402

from engine import Engine, connect  # noqa: E402
from generated import ENGINE_COMBOS, generate  # noqa: E402
from kit import Kit, base_images  # noqa: E402

MB = 1_000_000
LIMIT = 3 * MB


def binary_size(engine: Engine, image: str, path: str) -> int:
    """Size of the file at PATH inside IMAGE."""
    files, _ = _image_files(engine, image, under=path)
    return files[path].size


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        home = work / "home"
        home.mkdir()
        engine = connect(work / "docker-config", work / "dockerd.log")
        kit = Kit(engine, print)
        try:
            for name, answers in ENGINE_COMBOS.items():
                if answers["language"] not in {"go", "rust"} or answers["dev_test_prod"]:
                    continue
                service = generate(name, answers, work, home)
                for image in base_images((service / "Dockerfile").read_text()):
                    kit.provide(image)
                tag = f"scaffold-bench/{name}:prod"
                engine.run("build", "--quiet", "--target", "prod", "--tag", tag, str(service))
                image_size = int(
                    engine.run("image", "inspect", "--format", "{{.Size}}", tag).stdout
                )
                binary = "server" if answers["language"] == "go" else name
                rows.append(
                    (name, answers["serving"], image_size, binary_size(engine, tag, binary))
                )
                print(rows[-1])
                engine.run("rmi", tag, check=False)
        finally:
            engine.stop()
    lines = [
        "| combination | image | binary | image - binary | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, serving, image_size, binary in rows:
        static = serving in {"scratch", "distroless"}
        verdict = ("met" if image_size - binary <= LIMIT else "NOT met") if static else "—"
        lines.append(
            f"| {name} | {image_size / MB:.2f} MB | {binary / MB:.2f} MB | "
            f"{(image_size - binary) / MB:.2f} MB | {verdict} |"
        )
    debian = min(
        (size - binary for _, serving, size, binary in rows if serving == "debian"), default=0
    )
    body = "\n".join(
        [
            "## Static binaries (`bench/binaries.py`, stand-in bases)",
            "",
            "Production images of the buildable Go and Rust combinations against the service "
            "binary inside them. Target: static images (scratch, distroless) at most binary + "
            "3 MB; `debian` images carry Debian on purpose (glibc, cgo): here the stand-in, a "
            f"debootstrap minbase root of {debian / MB:.0f} MB where the official "
            "debian:trixie-slim is about 80 MB. Static Rust (musl on rust:alpine) cannot be built "
            "here; its Dockerfile is linted and golden-tested.",
            "",
            *lines,
        ]
    )
    print(body)
    write_section("binaries", body)


if __name__ == "__main__":
    main()
