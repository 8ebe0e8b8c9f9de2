"""Java services: pom.xml or build.gradle, and the class with main()."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, kebab, text_of, walk


def read(root: Path, found: Detection) -> None:
    """Record a Maven or Gradle project's answers: name, Java release, main class."""
    pom = text_of(root / "pom.xml")
    gradle = text_of(root / "build.gradle") or text_of(root / "build.gradle.kts")
    manifest = "pom.xml" if pom else "build.gradle"
    found.found("package_manager", "maven" if pom else "gradle", manifest)
    if pom:
        artifact = re.search(
            r"</parent>.*?<artifactId>([^<]+)</artifactId>|^\s*<artifactId>"
            r"([^<]+)</artifactId>",
            pom,
            re.DOTALL | re.MULTILINE,
        )
        if artifact:
            found.found("project_name", kebab(artifact.group(1) or artifact.group(2)), "pom.xml")
        release = re.search(
            r"<(?:maven\.compiler\.release|java\.version|release|"
            r"maven\.compiler\.target)>(\d+)<",
            pom,
        )
        found.found("language_version", release and release.group(1), "pom.xml")
        if "spring-boot" in pom:
            found.warnings.append(
                "Spring Boot: its repackaged jar starts through its launcher; answer entrypoint "
                "org.springframework.boot.loader.launch.JarLauncher"
            )
    else:
        settings = text_of(root / "settings.gradle") or text_of(root / "settings.gradle.kts")
        named = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"]+)", settings)
        found.found("project_name", named and kebab(named.group(1)), "settings.gradle")
        release = re.search(
            r"(?:languageVersion\.set\(JavaLanguageVersion\.of\(|JavaLanguage"
            r"Version\.of\(|VERSION_|sourceCompatibility\s*=\s*['\"]?)(\d+)",
            gradle,
        )
        found.found("language_version", release and release.group(1), "build.gradle")
        if "application" not in gradle:
            found.warnings.append(
                "build.gradle has no `application` plugin: the image is built with "
                "`gradle installDist`, which needs it"
            )
    for path in walk(root / "src" / "main", depth=8):
        text = text_of(path) if path.suffix in {".java", ".kt"} else ""
        if re.search(r"static\s+void\s+main\s*\(|^fun\s+main\s*\(", text, re.MULTILINE):
            package = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
            suffix = "Kt" if path.suffix == ".kt" else ""
            name = path.stem + suffix
            found.found(
                "entrypoint",
                f"{package.group(1)}.{name}" if package else name,
                str(path.relative_to(root)),
            )
            break
