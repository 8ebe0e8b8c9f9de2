"""Ruby services: Gemfile, version files, config.ru and the test layout."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, text_of, version_in


def read(root: Path, found: Detection) -> None:
    """Record a Ruby project's answers: Ruby version, Rails port, test layout."""
    version = version_in(text_of(root / ".ruby-version"))
    found.found("language_version", version, ".ruby-version")
    gemfile = text_of(root / "Gemfile")
    declared = re.search(r"^\s*ruby\s+['\"]([\d.]+)", gemfile, re.MULTILINE)
    found.found("language_version", declared and version_in(declared.group(1)), "Gemfile")
    if "rails" in gemfile:
        found.found("port", 3000, "Rails")
    if not (root / "Gemfile.lock").is_file():
        found.warnings.append("no Gemfile.lock: run `bundle lock` and commit it")
    if not (root / "config.ru").is_file():
        found.warnings.append("no config.ru: Puma starts the Rack app config.ru describes")
    found.found(
        "dev_test_prod",
        (root / "Rakefile").is_file() and (root / "test").is_dir(),
        "Rakefile and test/",
    )
    if (root / "config" / "application.rb").is_file():  # Rails writes tmp/ (cache, pids) and log/
        rails = ["tmp", "log"] + (["storage"] if (root / "storage").is_dir() else [])
        found.found("writable_paths", " ".join(rails), "Rails (tmp, log, storage)")
