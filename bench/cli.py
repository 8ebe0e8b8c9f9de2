"""Time the CLI: `scaffold --help`, `scaffold new --defaults`, and plain `copier copy --defaults`
of the same template release. Prints a table and rewrites its section of BENCHMARKS.md.

    python bench/cli.py [--runs N]

Targets: `scaffold new --defaults` no slower than `copier copy --defaults`;
`scaffold --help` under 0.15 s on a 2-core machine.

It times scaffold as users have it: installed from a wheel (`pip install .`) into a fresh
virtualenv. An editable install rebuilds the release bundle from git history on every run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SECTION = "cli"


def medians(commands: list[list[str]], runs: int, env: dict[str, str], cwd: Path) -> list[float]:
    """Median wall time of each command, run interleaved so drift affects them alike."""
    samples: list[list[float]] = [[] for _ in commands]
    for i in range(runs):
        for command, times in zip(commands, samples, strict=True):
            target = cwd / f"out-{i}"
            argv = [a.replace("{out}", str(target)) for a in command]
            start = time.perf_counter()
            subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
            shutil.rmtree(target, ignore_errors=True)
    return [statistics.median(times) for times in samples]


def write_section(name: str, body: str) -> None:
    """Replace this script's section of BENCHMARKS.md (other scripts own the other sections)."""
    path = BENCH.parent / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        env = {**os.environ, "HOME": str(work)}
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [venv / "bin/pip", "install", "--quiet", str(BENCH.parent)],
            check=True,
            capture_output=True,
        )
        scaffold, copier = str(venv / "bin/scaffold"), str(venv / "bin/copier")
        subprocess.run(
            [scaffold, "new", "warmup", "--defaults"],
            env=env,
            cwd=work,
            check=True,
            capture_output=True,
        )  # installs the bundle, as any first run does
        names = [
            "scaffold --help",
            "scaffold new --defaults",
            "copier copy --defaults (same release)",
        ]
        commands = [
            [scaffold, "--help"],
            [scaffold, "new", "{out}", "--defaults"],
            [
                copier,
                "copy",
                "--defaults",
                "--quiet",
                "--data",
                "project_name=svc",
                "~/.local/share/scaffold/templates.bundle",
                "{out}",
            ],
        ]
        rows = list(zip(names, medians(commands, args.runs, env, work), strict=True))
    table = ["| command | median (s) |", "| --- | ---: |"]
    table += [f"| `{name}` | {seconds:.3f} |" for name, seconds in rows]
    help_ok = rows[0][1] < 0.15
    new_ok = rows[1][1] <= rows[2][1]
    verdict = [
        f"- `scaffold --help` under 0.15 s: {'met' if help_ok else 'NOT met'}",
        f"- `scaffold new` no slower than `copier copy`: {'met' if new_ok else 'NOT met'}",
    ]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    body = "\n".join(
        [
            f"## CLI start-up and rendering (`bench/cli.py`, {args.runs} runs, {machine})",
            "",
            *table,
            "",
            *verdict,
        ]
    )
    print(body)
    write_section(SECTION, body)


if __name__ == "__main__":
    main()
