"""Formulation IDs: each build step declares the IDs of ``models/formulation.md`` it implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def implements(*ids: str) -> Callable[[F], F]:
    """Mark a build step with the formulation IDs (variables, constraints) it creates."""

    def mark(step: F) -> F:
        step.formulation_ids = ids  # type: ignore[attr-defined]
        return step

    return mark
