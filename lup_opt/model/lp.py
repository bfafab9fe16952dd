"""A linear program as named blocks of variables and constraints over one sparse matrix.

Each block carries the formulation ID it implements (``models/formulation.md``) and a table of
labels, one row per variable or constraint, from which names, result tables and the Pyomo model
are made. The builder assembles coordinates block by block; :meth:`LPBuilder.freeze` makes the one
CSR matrix that is handed to the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.enums import ObjectiveSense

INF = np.inf


@dataclass(frozen=True)
class Block:
    """A named group of variables or constraints occupying a contiguous range."""

    name: str
    family: str  # the formulation ID (models/formulation.md)
    offset: int
    lower: np.ndarray
    upper: np.ndarray
    labels: pd.DataFrame  # one row per entry
    key: tuple[str, ...]  # label columns that identify one entry (the Pyomo index)

    @property
    def size(self) -> int:
        return len(self.lower)

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.size)


class VariableBlock(Block):
    """Columns of the LP: ``lower <= x <= upper``."""


class ConstraintBlock(Block):
    """Rows of the LP: ``lower <= A x <= upper``."""


@dataclass(frozen=True)
class LinearProgram:
    """min or max ``cost @ x + offset`` s.t. ``row_lower <= A x <= row_upper``, column bounds.

    The matrix is column-wise (CSC), the layout HiGHS keeps internally, so handing it over needs
    no transposition; ``rows`` gives the row-wise copy where one is wanted (the Pyomo model).
    """

    name: str
    sense: ObjectiveSense
    variables: tuple[VariableBlock, ...]
    constraints: tuple[ConstraintBlock, ...]
    matrix: sp.csc_matrix
    cost: np.ndarray
    cost_by_period: dict[int, np.ndarray] = field(default_factory=dict, repr=False)
    objective_offset: float = 0.0

    @property
    def num_cols(self) -> int:
        return self.matrix.shape[1]

    @property
    def num_rows(self) -> int:
        return self.matrix.shape[0]

    @property
    def num_nonzeros(self) -> int:
        return int(self.matrix.nnz)

    @cached_property
    def rows(self) -> sp.csr_matrix:
        return self.matrix.tocsr()

    @cached_property
    def col_lower(self) -> np.ndarray:
        return _concat([v.lower for v in self.variables])

    @cached_property
    def col_upper(self) -> np.ndarray:
        return _concat([v.upper for v in self.variables])

    @cached_property
    def row_lower(self) -> np.ndarray:
        return _concat([c.lower for c in self.constraints])

    @cached_property
    def row_upper(self) -> np.ndarray:
        return _concat([c.upper for c in self.constraints])

    def variable(self, name: str) -> VariableBlock:
        return next(v for v in self.variables if v.name == name)

    def constraint(self, name: str) -> ConstraintBlock:
        return next(c for c in self.constraints if c.name == name)

    def has_constraint(self, name: str) -> bool:
        return any(c.name == name for c in self.constraints)

    def families(self) -> set[str]:
        return {b.family for b in (*self.variables, *self.constraints)}


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0)


class LPBuilder:
    """Collects blocks; variables must be added before the constraints that use them."""

    def __init__(self, name: str, sense: ObjectiveSense):
        self.name = name
        self.sense = sense
        self._variables: list[VariableBlock] = []
        self._constraints: list[ConstraintBlock] = []
        self._rows: list[np.ndarray] = []
        self._cols: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []
        self._cost: dict[str, np.ndarray] = {}
        self._cost_by_period: dict[str, dict[int, np.ndarray]] = {}
        self._num_cols = 0
        self._num_rows = 0

    def variables(self, name: str) -> VariableBlock:
        return next(v for v in self._variables if v.name == name)

    def has_variables(self, name: str) -> bool:
        return any(v.name == name for v in self._variables)

    def add_variables(
        self,
        name: str,
        family: str,
        lower: np.ndarray,
        upper: np.ndarray,
        labels: pd.DataFrame,
        key: tuple[str, ...] | None = None,
    ) -> VariableBlock:
        lower = np.asarray(lower, dtype=float)
        upper = np.broadcast_to(np.asarray(upper, dtype=float), lower.shape).copy()
        if len(labels) != len(lower):
            raise ValueError(f"{name}: {len(labels)} labels for {len(lower)} variables")
        block = VariableBlock(
            name, family, self._num_cols, lower, upper, labels.reset_index(drop=True),
            tuple(labels.columns) if key is None else key,
        )
        self._variables.append(block)
        self._num_cols += block.size
        return block

    def add_constraints(
        self,
        name: str,
        family: str,
        terms: dict[str, sp.spmatrix],
        lower: np.ndarray,
        upper: np.ndarray,
        labels: pd.DataFrame,
        key: tuple[str, ...] | None = None,
    ) -> ConstraintBlock:
        """Add rows ``lower <= sum_v terms[v] @ x_v <= upper``; each term is (rows x block size)."""
        lower = np.asarray(lower, dtype=float)
        upper = np.broadcast_to(np.asarray(upper, dtype=float), lower.shape).copy()
        n_rows = len(lower)
        if len(labels) != n_rows:
            raise ValueError(f"{name}: {len(labels)} labels for {n_rows} rows")
        for var_name, matrix in terms.items():
            block = self.variables(var_name)
            coo = matrix if isinstance(matrix, sp.coo_matrix) else sp.coo_matrix(matrix)
            if coo.shape != (n_rows, block.size):
                raise ValueError(f"{name}/{var_name}: shape {coo.shape}, expected {(n_rows, block.size)}")
            keep = coo.data != 0
            if keep.all():
                rows, cols, vals = coo.row, coo.col, coo.data
            else:
                rows, cols, vals = coo.row[keep], coo.col[keep], coo.data[keep]
            self._rows.append(rows.astype(np.int32) + np.int32(self._num_rows))
            self._cols.append(cols.astype(np.int32) + np.int32(block.offset))
            self._vals.append(vals.astype(float, copy=False))
        block = ConstraintBlock(
            name, family, self._num_rows, lower, upper, labels.reset_index(drop=True),
            tuple(labels.columns) if key is None else key,
        )
        self._constraints.append(block)
        self._num_rows += n_rows
        return block

    def add_cost(self, var_name: str, coefficients: np.ndarray, period: int | None = None) -> None:
        """Add objective coefficients; ``period`` records which year they belong to (so that a
        myopic solve can leave out later years)."""
        block = self.variables(var_name)
        current = self._cost.get(var_name, np.zeros(block.size))
        self._cost[var_name] = current + np.asarray(coefficients, dtype=float)
        if period is not None:
            by_period = self._cost_by_period.setdefault(var_name, {})
            by_period[period] = by_period.get(period, 0.0) + np.asarray(coefficients, dtype=float)

    def freeze(self) -> LinearProgram:
        cost = np.zeros(self._num_cols)
        for var_name, values in self._cost.items():
            cost[self.variables(var_name).slice] = values
        if self._rows:
            matrix = sp.csc_matrix(
                (np.concatenate(self._vals), (np.concatenate(self._rows), np.concatenate(self._cols))),
                shape=(self._num_rows, self._num_cols),
            )
        else:
            matrix = sp.csc_matrix((self._num_rows, self._num_cols))
        self._rows, self._cols, self._vals = [], [], []  # release the coordinates
        matrix.sum_duplicates()
        cost_by_period = {}
        for var_name, periods in self._cost_by_period.items():
            block = self.variables(var_name)
            for period, values in periods.items():
                full = cost_by_period.setdefault(period, np.zeros(self._num_cols))
                full[block.slice] += values
        return LinearProgram(
            name=self.name,
            sense=self.sense,
            variables=tuple(self._variables),
            constraints=tuple(self._constraints),
            matrix=matrix,
            cost=cost,
            cost_by_period=cost_by_period,
        )


def selection_matrix(row_of: np.ndarray, n_rows: int, values: np.ndarray | None = None) -> sp.coo_matrix:
    """A (n_rows x len(row_of)) matrix with ``values[j]`` at (row_of[j], j); -1 rows are skipped."""
    cols = np.flatnonzero(row_of >= 0)
    data = np.ones(len(cols)) if values is None else np.asarray(values, dtype=float)[cols]
    return sp.coo_matrix((data, (row_of[cols], cols)), shape=(n_rows, len(row_of)))
