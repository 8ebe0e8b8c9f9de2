"""Rust services: Cargo.toml, its bins and the toolchain file."""

from __future__ import annotations

from pathlib import Path

from scaffold.detect._common import Detection, kebab, toml_table, version_in
from scaffold.errors import ScaffoldError


def read(root: Path, found: Detection) -> None:
    """Record a Cargo project's answers: name, bin, toolchain version."""
    cargo = toml_table(root, "Cargo.toml", found)
    if "workspace" in cargo and "package" not in cargo:
        raise ScaffoldError(
            f"{root} is a Cargo workspace: run scaffold init in the folder of the service's crate"
        )
    package = cargo.get("package", {})
    bins = cargo.get("bin", [])
    name = (bins[0].get("name") if bins else None) or package.get("name")
    found.found("project_name", kebab(str(package.get("name", ""))), "Cargo.toml")
    found.found("entrypoint", name, "Cargo.toml")
    toolchain = toml_table(root, "rust-toolchain.toml", found).get("toolchain", {})
    channel = str(toolchain.get("channel", ""))
    found.found(
        "language_version",
        version_in(channel) if channel[:1].isdigit() else None,
        "rust-toolchain.toml",
    )
    found.found(
        "language_version",
        package.get("rust-version") and version_in(str(package["rust-version"])),
        "rust-version",
    )
    if not (root / "Cargo.lock").is_file():
        found.warnings.append("no Cargo.lock: run `cargo generate-lockfile` and commit it")
