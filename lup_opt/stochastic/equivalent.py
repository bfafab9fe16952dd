"""The deterministic equivalent of a two-stage plan (S-NONANT, S-CVAR in ``models/formulation.md``),
assembled from the scenarios' own LPs without a loop over land units.

Every scenario's LP is built as if it were deterministic. The first-stage columns are the area
columns whose change happens in a here-and-now planning year: they are one set of columns shared
by every scenario (non-anticipativity by construction, no equality rows). Every other column and
every row is copied per scenario. Keeping a use, or changing it later, is a recourse decision: a
part's area row holds in each scenario, so what the first stage does not change stays open.

    min  sum_s p_s (c_s[F] x_F + c_s[R] x_s) [+ w (eta + sum_s p_s z_s / (1 - alpha))]
    s.t. A_s[:, F] x_F + A_s[:, R] x_s within the bounds of scenario s      for every s
         z_s >= sigma (c_s x + o_s) - eta, z_s >= 0                          (CVaR, weight w > 0)

(with weight w the expectation is weighted 1 - w). sigma is +1 for a minimised objective and -1
for a maximised one: CVaR is taken over the worst outcomes in either case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.enums import ObjectiveSense
from lup_opt.handles import Columns, Rows
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import ConstraintBlock, LinearProgram, VariableBlock

FORMULATION_IDS = ("S-NONANT", "S-CVAR")
FIRST_STAGE = Columns("area_first_stage", "V-AREA")
CVAR_THRESHOLD = Columns("cvar_threshold", "S-CVAR")
CVAR_EXCESS = Columns("cvar_excess", "S-CVAR")
CVAR_ROWS = Rows("cvar_tail", "S-CVAR")


@dataclass(frozen=True)
class Equivalent:
    """The deterministic equivalent and where each scenario's columns and rows went in it."""

    lp: LinearProgram
    first: np.ndarray  # positions of the first-stage columns in each scenario's LP (the same in all)
    recourse: tuple[np.ndarray, ...]  # per scenario: positions in its own LP of its recourse columns
    recourse_at: tuple[int, ...]  # per scenario: where its recourse columns start in the equivalent
    rows_at: tuple[int, ...]  # per scenario: where its rows start in the equivalent

    def scenario_columns(self, values: np.ndarray, s: int, n_cols: int) -> np.ndarray:
        """Scenario ``s``'s column values in its own LP's order, from the equivalent's."""
        out = np.zeros(n_cols)
        out[self.first] = values[: len(self.first)]
        out[self.recourse[s]] = values[self.recourse_at[s]: self.recourse_at[s] + len(self.recourse[s])]
        return out


def first_stage_columns(lp: LinearProgram, conversion: np.ndarray, n_here_and_now: int) -> np.ndarray:
    """Positions in ``lp`` of the area columns that change use in a here-and-now year."""
    area = lp.variable(AREA)
    return area.offset + np.flatnonzero((conversion >= 0) & (conversion < n_here_and_now))


def equivalent(lps: list[LinearProgram], probabilities: list[float], first: np.ndarray, names: list[str],
               cvar_alpha: float = 0.0, risk_weight: float = 0.0) -> Equivalent:
    """The deterministic equivalent of the scenarios' LPs (same sense; ``first`` at the same
    positions with the same bounds in each)."""
    sense = lps[0].sense
    p = np.asarray(probabilities, dtype=float)
    expectation = 1.0 - risk_weight
    recourse = tuple(np.setdiff1d(np.arange(lp.num_cols), first) for lp in lps)
    n_first = len(first)
    first_cols = sp.vstack([lp.matrix[:, first] for lp in lps], format="csc")
    recourse_cols = sp.block_diag([lp.matrix[:, r] for lp, r in zip(lps, recourse, strict=True)], format="csc")
    matrix = sp.hstack([first_cols, recourse_cols], format="csc")
    cost = np.concatenate([expectation * sum(p_s * lp.cost[first] for p_s, lp in zip(p, lps, strict=True)),
                           *(expectation * p_s * lp.cost[r] for p_s, lp, r in zip(p, lps, recourse, strict=True))])
    offset = expectation * float(sum(p_s * lp.objective_offset for p_s, lp in zip(p, lps, strict=True)))
    recourse_at = tuple(int(n_first + k) for k in np.cumsum([0, *[len(r) for r in recourse[:-1]]]))
    rows_at = tuple(int(k) for k in np.cumsum([0, *[lp.num_rows for lp in lps[:-1]]]))

    variables = [_block(VariableBlock, FIRST_STAGE, 0, lps[0].col_lower[first], lps[0].col_upper[first],
                        lps[0].variable(AREA).labels.iloc[first - lps[0].variable(AREA).offset])]
    constraints = []
    for s, (lp, name) in enumerate(zip(lps, names, strict=True)):
        variables += _recourse_blocks(lp, recourse[s], recourse_at[s], name)
        constraints += [_block(ConstraintBlock, Rows(f"{c.name}[{name}]", c.family), rows_at[s] + c.offset, c.lower,
                               c.upper, c.labels.assign(scenario=name)) for c in lp.constraints]
    lp = LinearProgram(name=f"{lps[0].name} (stochastic)", sense=sense, variables=tuple(variables),
                       constraints=tuple(constraints), matrix=matrix, cost=cost, objective_offset=offset)
    if risk_weight > 0:
        lp = _with_cvar(lp, lps, recourse, recourse_at, p, names, cvar_alpha, risk_weight)
    return Equivalent(lp, first, recourse, recourse_at, rows_at)


def _recourse_blocks(lp: LinearProgram, recourse: np.ndarray, start: int, name: str) -> list[VariableBlock]:
    """Scenario ``name``'s variable blocks, less the first-stage columns, from ``start`` on."""
    out, at = [], start
    for block in lp.variables:
        keep = recourse[(recourse >= block.offset) & (recourse < block.offset + block.size)] - block.offset
        out.append(_block(VariableBlock, Columns(f"{block.name}[{name}]", block.family), at, block.lower[keep],
                          block.upper[keep], block.labels.iloc[keep].assign(scenario=name)))
        at += len(keep)
    return out


def _with_cvar(lp: LinearProgram, lps: list[LinearProgram], recourse, recourse_at, p: np.ndarray,
               names: list[str], alpha: float, weight: float) -> LinearProgram:
    """Add eta (free), z_s >= 0 and z_s - sigma c_s x + eta >= sigma o_s; price them in."""
    sigma = 1.0 if lp.sense is ObjectiveSense.MINIMIZE else -1.0
    n, n_s = lp.num_cols, len(lps)
    outcome = sp.lil_matrix((n_s, n))
    first = lp.variables[0].size
    for s, scenario_lp in enumerate(lps):
        first_positions = np.setdiff1d(np.arange(scenario_lp.num_cols), recourse[s])
        outcome[s, :first] = scenario_lp.cost[first_positions]
        outcome[s, recourse_at[s]: recourse_at[s] + len(recourse[s])] = scenario_lp.cost[recourse[s]]
    rows = sp.hstack([-sigma * outcome.tocsc(), sp.csc_matrix(np.ones((n_s, 1))), sp.identity(n_s, format="csc")],
                     format="csc")
    lower = np.array([sigma * scenario_lp.objective_offset for scenario_lp in lps])
    matrix = sp.vstack([sp.hstack([lp.matrix, sp.csc_matrix((lp.num_rows, n_s + 1))]), rows], format="csc")
    cost = np.concatenate([lp.cost, [sigma * weight], sigma * weight * p / (1.0 - alpha)])
    labels = pd.DataFrame({"scenario": names})
    variables = (*lp.variables,
                 _block(VariableBlock, CVAR_THRESHOLD, n, np.array([-np.inf]), np.array([np.inf]),
                        pd.DataFrame({"measure": ["value at risk"]})),
                 _block(VariableBlock, CVAR_EXCESS, n + 1, np.zeros(n_s), np.full(n_s, np.inf), labels))
    constraints = (*lp.constraints, _block(ConstraintBlock, CVAR_ROWS, lp.num_rows, lower, np.full(n_s, np.inf),
                                           labels))
    return LinearProgram(name=lp.name, sense=lp.sense, variables=variables, constraints=constraints, matrix=matrix,
                         cost=cost, objective_offset=lp.objective_offset)


def _block(kind, name, offset: int, lower, upper, labels: pd.DataFrame):
    return kind(name, name.formulation_id, int(offset), np.asarray(lower, dtype=float), np.asarray(upper, dtype=float),
                labels.reset_index(drop=True), tuple(labels.columns))
