"""Tests for the worker."""

from __future__ import annotations

from app.main import process


def test_process_squares_its_input() -> None:
    assert [process(n) for n in range(4)] == [0, 1, 4, 9]
