"""What the test kit labels a stand-in with decides whether an earlier run's image is reused."""

from __future__ import annotations

from kit import PARENTS, build_args, parent_of, recipe_hash, stamp


def test_a_recipe_built_as_a_parent_takes_no_build_args() -> None:
    # uv's stand-in is built on the python one: on a machine without it, the kit builds the
    # parent with no image name, which must not be read as a tag.
    assert PARENTS["uv"] == "python"
    assert build_args("python", "") == []
    assert build_args("node-release", "") == []
    assert stamp("python", "") == recipe_hash("python")


def test_a_stand_in_made_per_release_is_labelled_with_what_it_is_made_of() -> None:
    assert build_args("uv", "ghcr.io/astral-sh/uv:0.9.2") == ["--build-arg", "UV_VERSION=0.9.2"]
    # Same recipe, other release: another label, so a tag left by another release is rebuilt.
    assert stamp("uv", "ghcr.io/astral-sh/uv:0.9.2") != stamp("uv", "ghcr.io/astral-sh/uv:0.9.3")
    assert stamp("node-release", "node:22-slim") != stamp("node-release", "node:20-slim")
    assert stamp("node-release", "node:22-slim").startswith(recipe_hash("node-release") + "-")
    # Tags of one release (slim, trixie-slim) are one stand-in.
    assert stamp("node-release", "node:22-slim") == stamp("node-release", "node:22-trixie-slim")


def test_hardened_and_distroless_node_images_are_made_from_the_release_their_tag_names() -> None:
    assert parent_of("dhi-node-dev", "dhi.io/node:26-debian13-dev") == (
        "node-release",
        "node:26-slim",
    )
    assert parent_of("dhi-node-dev", "dhi.io/node:24-debian13-dev") == ("node", "node:24-slim")
    assert parent_of("dhi-node", "dhi.io/node:26-debian13") == (
        "dhi-node-dev",
        "dhi.io/node:26-debian13-dev",
    )
    assert parent_of("distroless-nodejs", "gcr.io/distroless/nodejs22-debian13:nonroot") == (
        "node-release",
        "node:22-slim",
    )
    assert parent_of("uv", "ghcr.io/astral-sh/uv:0.9.2") == ("python", "")
    # One recipe, two releases: two stand-ins, however many times each is asked for.
    assert stamp("dhi-node", "dhi.io/node:26-debian13") != stamp(
        "dhi-node", "dhi.io/node:24-debian13"
    )
