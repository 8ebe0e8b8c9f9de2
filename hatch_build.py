"""Wheel build hook: ship the template's release bundle (see scaffold/_release.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ReleaseBundleHook(BuildHookInterface):  # type: ignore[type-arg]
    """Build templates.bundle from the checkout's history into the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Add the bundle to a regular (non-editable) wheel, in the package and as shared data."""
        if self.target_name != "wheel" or version == "editable":
            return
        spec = importlib.util.spec_from_file_location(
            "_scaffold_release", Path(self.root) / "scaffold" / "_release.py"
        )
        assert spec and spec.loader
        release = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(release)
        output = Path(self.directory) / "templates.bundle"
        versions = release.build_bundle(Path(self.root), output)
        self.app.display_info(f"template releases in the bundle: {', '.join(versions)}")
        build_data["force_include"][str(output)] = "scaffold/templates.bundle"
        # Also as data: `pip install --user` puts it straight at ~/.local/share/scaffold/.
        build_data["shared_data"][str(output)] = "share/scaffold/templates.bundle"
        # The version as a module: importlib.metadata costs start-up time on every run.
        version_file = Path(self.directory) / "_version.py"
        version_file.write_text(f'__version__ = "{self.metadata.version}"\n')
        build_data["force_include"][str(version_file)] = "scaffold/_version.py"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the files built next to the wheel."""
        for name in ("templates.bundle", "_version.py"):
            (Path(self.directory) / name).unlink(missing_ok=True)
