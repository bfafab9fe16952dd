"""Solver options and the raw solution every backend returns."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from time import perf_counter

import numpy as np

from lup_opt.enums import Backend, SolverMethod, SolveStatus


def default_threads() -> int:
    """Half the cores this process may run on, at least one. HiGHS's own default counts the
    machine's cores (documented as half of them; it started 2 threads on this project's 2-core
    machine), which on a cluster node or in a container limited to a few cores can be many more
    threads than cores; two threads against one on two cores measured no difference beyond
    noise (``benchmarks/README.md``, "Threads")."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // 2)


@dataclass(frozen=True)
class SolverOptions:
    """How to run HiGHS.

    ``method`` defaults to interior point with crossover: measured on allocation LPs here it was
    6x faster than dual simplex at 1,000 units and the only method to finish 10,000 units in
    300 s (``benchmarks/README.md``); crossover gives a vertex and exact duals at little cost.
    """

    method: SolverMethod = SolverMethod.IPM
    time_limit: float | None = None  # seconds for the whole command (see ``started``), not per HiGHS call
    threads: int | None = None  # HiGHS threads; None: half the cores available (default_threads)
    presolve: bool = True
    crossover: bool = True
    deadline: float | None = None  # perf_counter() time at which the budget ends (set by ``started``)
    keep_basis: bool = False  # return the optimal basis, for re-solves that start from it

    def started(self, already: float = 0.0) -> SolverOptions:
        """These options with the time budget running from now, ``already`` seconds of it spent
        (e.g. loading the scenario): every HiGHS call after this gets what is left."""
        if self.time_limit is None:
            return self
        return replace(self, deadline=perf_counter() + self.time_limit - already)

    def remaining(self) -> float | None:
        """Seconds left for the next HiGHS call (None: no limit)."""
        if self.deadline is not None:
            return max(self.deadline - perf_counter(), 0.0)
        return self.time_limit

    @property
    def solver_threads(self) -> int:
        """The threads HiGHS is given: ``threads``, or half the cores available."""
        return self.threads if self.threads is not None else default_threads()

    @property
    def highs_method(self) -> str:
        """HiGHS's ``solver`` option for this method: the structured solve (and ``auto``) solve
        their LPs, restricted masters and re-solves, with interior point."""
        if self.method in (SolverMethod.STRUCTURED, SolverMethod.AUTO):
            return SolverMethod.IPM.value
        return self.method.value

    def out_of_time(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", SolverMethod(self.method))
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError("time_limit must be positive (seconds)")
        if self.threads is not None and self.threads < 1:
            raise ValueError("threads must be at least 1")


@dataclass(frozen=True)
class RowRanging:
    """Per row: the range of its bound over which its dual (shadow price) stays valid, and the
    objective at either end (HiGHS ranging; needs a basis, so simplex or IPM with crossover)."""

    lower_value: np.ndarray
    lower_objective: np.ndarray
    upper_value: np.ndarray
    upper_objective: np.ndarray


@dataclass(frozen=True)
class Solution:
    """What came back from the solver, in the LP's column and row order."""

    status: SolveStatus
    message: str
    objective: float | None
    col_values: np.ndarray | None
    row_values: np.ndarray | None
    row_duals: np.ndarray | None
    col_duals: np.ndarray | None
    backend: Backend
    solver: str
    handoff_seconds: float
    solver_seconds: float
    extract_seconds: float
    log: str
    presolve_rechecked: bool = False
    ranging: RowRanging | None = None
    # the optimal basis as HiGHS status codes (columns, rows), when SolverOptions.keep_basis
    basis: tuple[np.ndarray, np.ndarray] | None = None
    # what the structured solve (column generation) did: rounds, columns, seconds (manifest)
    structured: dict | None = None

    @property
    def is_optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL
