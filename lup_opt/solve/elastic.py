"""The elastic model of an infeasible LP (D-ELASTIC in models/formulation.md), kept in one
HiGHS instance whose violation columns are opened and priced between solves (warm starts).

Only the solve layer touches the solver: ``lup_opt.diagnose.explain`` asks this model for least
violations, duals and values, and never sees HiGHS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import highspy
import numpy as np

from lup_opt.model.lp import LinearProgram
from lup_opt.solve.highs import apply_time_limit, new_highs, pass_lp
from lup_opt.solve.options import SolverOptions

FORMULATION_IDS = ("D-ELASTIC",)  # models/formulation.md sections this module implements


class RelaxableRow(Protocol):
    """What the elastic model needs of a row it may relax: its index and its size (the scale of
    one unit of violation)."""

    row: int
    size: float


class OutOfTime(Exception):
    """The command's time budget ran out during the diagnosis."""


@dataclass
class ElasticModel:
    """The LP with violation columns; rows are made relaxable by opening their columns."""

    highs: highspy.Highs
    rows: Sequence[RelaxableRow]
    plus: np.ndarray  # violation column index per relaxable row, or -1 (helps a lower bound)
    minus: np.ndarray  # (helps an upper bound)
    options: SolverOptions

    @classmethod
    def build(cls, lp: LinearProgram, rows: Sequence[RelaxableRow], options: SolverOptions,
              method: str = "ipm") -> ElasticModel:
        highs = new_highs(options.solver_threads)
        highs.setOptionValue("output_flag", False)
        # Measured on the default scenario: after costs and bounds change, simplex needed tens of
        # thousands of iterations per solve (15-30 s); interior point with crossover takes ~2 s.
        highs.setOptionValue("solver", method)
        pass_lp(highs, lp, cost=np.zeros(lp.num_cols))
        lower, upper = lp.row_lower, lp.row_upper
        columns, plus, minus = [], np.full(len(rows), -1), np.full(len(rows), -1)
        for i, row in enumerate(rows):
            if np.isfinite(lower[row.row]):
                plus[i] = lp.num_cols + len(columns)
                columns.append((row.row, 1.0, row.size))
            if np.isfinite(upper[row.row]):
                minus[i] = lp.num_cols + len(columns)
                columns.append((row.row, -1.0, row.size))
        n = len(columns)
        if n:
            highs.addCols(
                n, np.array([1.0 / c[2] for c in columns]), np.zeros(n), np.zeros(n),  # closed for now
                n, np.arange(n, dtype=np.int32), np.array([c[0] for c in columns], dtype=np.int32),
                np.array([c[1] for c in columns]),
            )
        return cls(highs, rows, plus, minus, options)

    def solve(self, costed: set[int], free: frozenset[int] | set[int] = frozenset()) -> float | None:
        """Least total relative violation of the ``costed`` rows, while ``free`` rows may be
        violated at no cost and all other rows must hold (None: no plan even so)."""
        index, upper, cost = [], [], []
        for i, row in enumerate(self.rows):
            for column in (self.plus[i], self.minus[i]):
                if column >= 0:
                    index.append(column)
                    upper.append(np.inf if (i in costed or i in free) else 0.0)
                    cost.append(1.0 / row.size if i in costed else 0.0)
        if index:
            index = np.array(index, dtype=np.int32)
            self.highs.changeColsBounds(len(index), index, np.zeros(len(index)), np.array(upper))
            self.highs.changeColsCost(len(index), index, np.array(cost))
        self._run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return float(self.highs.getInfo().objective_function_value)

    def supporting_rows(self) -> set[int]:
        """Relaxable rows with a nonzero dual in the last solve: the rows the least violation
        depends on (a sensitivity filter; every conflict lies among them when they cannot hold)."""
        duals = np.asarray(self.highs.getSolution().row_dual)
        return {i for i, row in enumerate(self.rows) if abs(duals[row.row]) > 1e-9 / max(row.size, 1e-9)}

    def violations(self) -> np.ndarray:
        """Per relaxable row: violation in the row's units (+ below a lower bound, - above an upper)."""
        values = np.asarray(self.highs.getSolution().col_value)
        plus = np.where(self.plus >= 0, values[np.maximum(self.plus, 0)], 0.0)
        minus = np.where(self.minus >= 0, values[np.maximum(self.minus, 0)], 0.0)
        return plus - minus

    def values(self, n_cols: int) -> np.ndarray:
        return np.asarray(self.highs.getSolution().col_value)[:n_cols]

    def fewest_rows(self, total: float) -> None:
        """Second stage: among relaxations with total at most ``total``, relax the fewest rows."""
        n_rows = len(self.rows)
        n_cols = self.highs.getNumCol()
        self.highs.addVars(n_rows, np.zeros(n_rows), np.ones(n_rows))
        switches = np.arange(n_cols, n_cols + n_rows, dtype=np.int32)
        self.highs.changeColsIntegrality(n_rows, switches, np.full(n_rows, highspy.HighsVarType.kInteger))
        budget_index, budget_value = [], []
        for i, row in enumerate(self.rows):
            for column in (self.plus[i], self.minus[i]):
                if column < 0:
                    continue
                # violation <= M * switch, with M a thousand times the row's size
                self.highs.addRow(-np.inf, 0.0, 2, np.array([column, switches[i]], dtype=np.int32),
                                  np.array([1.0, -1e3 * row.size]))
                budget_index.append(column)
                budget_value.append(1.0 / row.size)
        self.highs.addRow(-np.inf, total * (1 + 1e-6) + 1e-9, len(budget_index),
                          np.array(budget_index, dtype=np.int32), np.array(budget_value))
        costs = np.zeros(n_cols + n_rows)
        costs[switches] = 1.0
        self.highs.changeColsCost(n_cols + n_rows, np.arange(n_cols + n_rows, dtype=np.int32), costs)
        self._run()

    def _run(self) -> None:
        """One HiGHS run within what is left of the command's time budget."""
        if self.options.out_of_time():
            raise OutOfTime
        apply_time_limit(self.highs, self.options)
        self.highs.run()
        if self.highs.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
            raise OutOfTime
