"""Figures for hostile and careless input, counted from a real run of the tests that prove them.

Runs the lint, property, error, interrupt, update and init tests once (pytest, with hypothesis's
statistics), counts what passed and failed per kind, and rewrites the "robustness" section of
BENCHMARKS.md. Nothing here is typed in by hand: a figure is a count of tests that ran.

    .venv/bin/python bench/robustness.py            # about 20 minutes
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "BENCHMARKS.md"
FILES = [
    "tests/test_render.py",
    "tests/test_workflow.py",
    "tests/test_properties.py",
    "tests/test_cli.py",
    "tests/test_errors.py",
    "tests/test_pty.py",
    "tests/test_update.py",
    "tests/test_init.py",
    "tests/test_upgrades.py",
    "tests/test_dependency_updates.py",
]
UPGRADE_TEST = "test_every_route_updates_an_old_service_and_keeps_the_teams_edits"
# figure -> test function names (without parameters) whose cases it counts.
KINDS = {
    "service combinations rendered, hadolint with 0 findings": ["test_hadolint_has_zero_findings"],
    "workflows (pipeline and service combinations): actionlint, zizmor, schema with 0 findings": [
        "test_workflow_passes_actionlint_zizmor_and_the_schema",
        "test_every_services_workflow_passes_actionlint_zizmor_and_the_schema",
    ],
    "GitLab pipelines, Dependabot and Renovate configs valid against their schemas, naming "
    "the service's own ecosystem where its manifest is": [
        "test_gitlab_ci_matches_gitlabs_schema",
        "test_dependabot_updates_images_actions_and_the_services_own_dependencies",
        "test_renovate_updates_images_ci_images_and_the_services_own_dependencies_on_gitlab",
    ],
    "existing-project setups (every scaffold init combination), hadolint with 0 findings": [
        "test_every_existing_project_setup_is_hadolint_clean"
    ],
    "fixture projects detected as expected, only Docker setup files added, none changed": [
        "test_init_detects_the_project_and_writes_only_the_docker_setup"
    ],
    "existing-file scenarios (refused, dry run, forced, identical, asked on a terminal), 0 "
    "silent overwrites": [
        "test_an_existing_file_is_never_overwritten_without_being_asked",
        "test_files_already_as_generated_are_identical_and_not_rewritten",
        "test_init_offers_detected_answers_and_asks_before_each_overwrite",
        "test_init_without_conflicts_shows_the_plan_and_writes_only_when_confirmed",
    ],
    "bad inputs refused with a one-line message (tables and error catalogue)": [
        "test_bad_answers_are_refused_before_anything_is_written",
        "test_every_error_is_one_line_with_its_exit_code_and_writes_nothing",
        "test_a_read_only_or_full_target_is_one_line_and_leaves_nothing",
    ],
    "interrupt points (Ctrl-C at each prompt, during rendering, locking and an update's merge), "
    "0 partial trees": [
        "test_ctrl_c_at_any_prompt_writes_nothing",
        "test_ctrl_c_while_the_service_is_written_leaves_nothing",
        "test_declining_the_summary_writes_nothing_and_prints_the_answers_as_a_command",
        "test_ctrl_c_at_the_question_leaves_the_service_as_it_was",
        "test_ctrl_c_while_merging_leaves_the_service_as_it_was",
    ],
    "update scenarios, 0 lost edits": [
        name
        for name in (REPO / "tests/test_update.py").read_text().split("\ndef ")
        if name.startswith("test_")
    ],
}
INJECTION_TEST = "test_a_free_text_answer_is_refused_in_one_line_or_changes_no_structure"


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch, "junit.xml")
        env = {**os.environ, "PATH": f"{REPO / '.venv/bin'}:{os.environ['PATH']}"}
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--hypothesis-show-statistics",
                f"--junitxml={junit}",
                *FILES,
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        outcomes = _outcomes(junit)
        junit_text = junit.read_text()
    examples = _examples(run.stdout)
    rows = []
    for figure, tests in KINDS.items():
        names = [test.split("(")[0] for test in tests]
        passed = sum(outcomes[(n, "passed")] for n in names)
        total = passed + sum(outcomes[(n, "failed")] for n in names)
        rows.append((figure, f"{passed}/{total}"))
    attempts = examples.get(INJECTION_TEST, 0)
    rows.append(
        (
            "injection attempts (hypothesis, nasty strings in every free-text answer) that "
            "changed a file's structure",
            f"{outcomes[(INJECTION_TEST, 'failed')]} of {attempts}",
        )
    )
    services, routes, conflicts = _upgrades(junit_text)
    rows.append(
        (
            "services of every older release x update routes (scaffold, copier, Renovate's "
            "command, terminal): updated with both team edits kept, files as a fresh render",
            f"{routes}/{services * 4} ({services} services x 4 routes); conflicts reported: "
            f"{conflicts}",
        )
    )
    rows.append(("hypothesis examples run", str(sum(examples.values()))))
    _write(rows, run.returncode)
    print("\n".join(f"{value:>12}  {figure}" for figure, value in rows))
    return run.returncode


def _outcomes(junit: Path) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        counts[(name, "failed" if failed or skipped else "passed")] += 1
    return counts


def _upgrades(junit_text: str) -> tuple[int, int, int]:
    """(services, routes that updated them, conflicted files) from the release matrix."""
    services = routes = conflicts = 0
    for case in ET.fromstring(junit_text).iter("testcase"):
        if case.get("name", "").split("[")[0] != UPGRADE_TEST:
            continue
        services += 1
        passed = case.find("failure") is None and case.find("error") is None
        properties = {p.get("name"): int(p.get("value", 0)) for p in case.iter("property")}
        if passed:
            routes += properties.get("routes", 0)
            conflicts += properties.get("conflicted_files", 0)
    return services, routes, conflicts


def _examples(output: str) -> Counter[str]:
    """Passing examples per test function, from hypothesis's statistics."""
    counts: Counter[str] = Counter()
    current = ""
    for line in output.splitlines():
        header = re.match(r"^tests/\S+::(\w+)", line)
        if header:
            current = header.group(1)
        found = re.search(r"(\d+) passing", line)
        if found and current:
            counts[current] += int(found.group(1))
    return counts


def _write(rows: list[tuple[str, str]], code: int) -> None:
    lines = [
        "## robustness",
        "",
        "`bench/robustness.py`: counted from one run of the lint, property, error-catalogue, pty, "
        f"update, release-matrix and init tests (pytest exit code {code}).",
        "",
        "| figure | result |",
        "| --- | --- |",
        *(f"| {figure} | {value} |" for figure, value in rows),
        "",
    ]
    text = BENCHMARKS.read_text()
    section = re.compile(r"^## robustness\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    block = "\n".join(lines) + "\n"
    text = section.sub(block, text) if section.search(text) else text.rstrip("\n") + "\n\n" + block
    BENCHMARKS.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
