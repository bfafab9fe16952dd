"""Robust compromise under uncertainty (Knoke et al. 2016, Nature Communications 7:11877; as in the
optimLanduse package, Husmann et al. 2022), on the plan LP (``models/formulation.md``, "Robust
compromise").

Each indicator has a mean and a standard error per use. For an uncertainty level u, an indicator's
*scenarios* are all combinations of a low or high outcome for each use. The low outcome is
mean - u*se where more is better (mean + u*se where less is better); the high outcome follows
optimLanduse's ``optimisticRule`` (:class:`~lup_opt.enums.OptimisticRule`):

- ``uncertainty_adjusted`` (optimLanduse ``uncertaintyAdjustedExpectation``, lup_opt's default):
  mean + u*se where more is better (mean - u*se where less is better);
- ``expectation`` (optimLanduse's own default): the mean itself, so only downside risks count.

Within a scenario s the indicator of the plan's land composition at year t, per hectare, is
normalised from the worst use (0) to the best use (1), over the uses that can hold land in the
scope at year t (the others are left out, with a warning naming them: optimLanduse normalises
over every use in its table, so its achievements can differ when some uses cannot hold land):

    achievement[i,s](x) = (sum_b v[i,s,b] * area_b(x) / A - min_b v[i,s,b]) / (max_b - min_b v[i,s,b])

(mirrored where less is better). The plan maximises beta, its worst achievement over every
indicator and scenario, subject to every row of the plan LP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from lup_opt.data.model_data import ModelData
from lup_opt.data.targets import scope_label, scope_mask
from lup_opt.enums import Direction, ObjectiveSense, OptimisticRule
from lup_opt.errors import LupOptError
from lup_opt.model.land_balance import AREA
from lup_opt.model.lp import LinearProgram
from lup_opt.scenario.scenario import Scenario
from lup_opt.solve.options import SolverOptions
from lup_opt.solve.session import WarmSession

FORMULATION_IDS = ("T-ROBUST",)  # models/formulation.md sections this module implements

logger = logging.getLogger(__name__)

MAX_SCENARIOS = 65_536  # rows the robust LP may add (indicator scenarios); above it, refuse
UNCERTAINTY_COLUMNS = ("indicator", "use", "mean", "se", "direction")


@dataclass(frozen=True)
class RobustCompromise:
    level: float
    beta: float  # the worst achievement over every indicator and scenario (0..1)
    plan: np.ndarray
    composition: pd.DataFrame  # use, area_ha, share
    indicators: pd.DataFrame  # indicator, direction, scenarios, worst_achievement, expected_value
    scenarios: int
    rounds: int = 1  # solves of the row-generation loop
    rows_used: int = 0  # scenario rows the last solve held (the others were never violated)


def read_uncertainty(table: pd.DataFrame | str) -> pd.DataFrame:
    """The uncertainty table (indicator, use, mean, se[, direction]); direction defaults to more."""
    frame = pd.read_csv(table) if isinstance(table, str) else table.copy()
    missing = [c for c in ("indicator", "use", "mean", "se") if c not in frame.columns]
    if missing:
        raise LupOptError(f"uncertainty table: missing column(s) {', '.join(missing)}; "
                          f"columns are {', '.join(UNCERTAINTY_COLUMNS)}")
    if "direction" not in frame:
        frame["direction"] = Direction.MORE.value
    frame["direction"] = frame["direction"].astype(str).str.strip().str.lower()
    bad = ~frame["direction"].isin([d.value for d in Direction])
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LupOptError(f"uncertainty table, row {row + 2}, column 'direction': "
                          f"'{frame['direction'].iloc[row]}' is not 'more' or 'less'")
    for column in ("mean", "se"):
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any() or (column == "se" and (values < 0).any()):
            row = int(np.flatnonzero(values.isna() | (values < 0 if column == "se" else False))[0])
            raise LupOptError(f"uncertainty table, row {row + 2}, column '{column}': "
                              f"'{frame[column].iloc[row]}' is not a {'non-negative ' if column == 'se' else ''}number")
        frame[column] = values.astype(float)
    if frame.duplicated(["indicator", "use"]).any():
        row = int(np.flatnonzero(frame.duplicated(["indicator", "use"]))[0])
        raise LupOptError(f"uncertainty table, row {row + 2}: indicator and use appear twice")
    return frame


def _scenario_rows(mean: np.ndarray, se: np.ndarray, level: float, more: bool,
                   rule: OptimisticRule = OptimisticRule.UNCERTAINTY_ADJUSTED) -> tuple[np.ndarray, np.ndarray]:
    """Every combination of low and high outcomes of the uses as rows ``coefficients @ q >=
    constants + beta`` (q: the shares of the uses); scenarios where every use is alike are
    left out (nothing to normalise). ``rule``: the high outcome (see the module docstring)."""
    n = len(mean)
    high = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1  # one scenario per row
    upside = 1.0 if OptimisticRule(rule) is OptimisticRule.UNCERTAINTY_ADJUSTED else 0.0
    good = np.where(high == 1, upside, -1.0) * level * se  # the high outcome is the better one
    values = mean + good if more else mean - good
    best = values.max(axis=1) if more else values.min(axis=1)
    worst = values.min(axis=1) if more else values.max(axis=1)
    spread = np.abs(best - worst)
    keep = spread > 1e-12
    sign = 1.0 if more else -1.0
    # (sum_b v_b q_b - worst) / (best - worst), mirrored where less is better; sum_b q_b = 1
    return sign * values[keep] / spread[keep, None], sign * worst[keep] / spread[keep]


ROWS_PER_ROUND = 20  # most violated scenario rows added per indicator and round
VIOLATION = 1e-9  # achievement below beta by more than this adds the row


def _most_violated(slack: np.ndarray, owner: np.ndarray, active: np.ndarray, first: bool) -> np.ndarray:
    """Rows not yet in the LP whose achievement is below beta: the worst ROWS_PER_ROUND per
    indicator (in the first round, when beta is not known yet, each indicator's worst row)."""
    picked = []
    for indicator in np.unique(owner):
        mine = (owner == indicator) & ~active
        rows = np.flatnonzero(mine if first else mine & (slack < -VIOLATION))
        picked.append(rows[np.argsort(slack[rows], kind="stable")[: 1 if first else ROWS_PER_ROUND]])
    return np.concatenate(picked)


def robust_compromise(scenario: Scenario, data: ModelData, lp: LinearProgram, uncertainty: pd.DataFrame,
                      level: float = 1.0, period: int | None = None, scope: dict | None = None,
                      max_scenarios: int = MAX_SCENARIOS, options: SolverOptions | None = None,
                      optimistic_rule: OptimisticRule | str = OptimisticRule.UNCERTAINTY_ADJUSTED) -> RobustCompromise:
    """Maximise the worst normalised achievement (see the module docstring)."""
    rule = OptimisticRule(optimistic_rule)
    if level < 0:
        raise LupOptError("the uncertainty level u must be 0 or more (standard errors added and removed)")
    dims, columns = data.dims, data.columns
    year = period if period is not None else scenario.target_year
    if year not in dims.periods:
        raise LupOptError(f"robust compromise: {year} is not a planning year")
    t = dims.periods.index(year)
    scope = scope or {}
    in_scope = scope_mask(scenario, scope)[columns.unit]
    use_now = columns.use_in(t)
    possible = sorted({dims.uses[b] for b in np.unique(use_now[in_scope & ~columns.fixed_to_zero])})
    table = read_uncertainty(uncertainty)
    unknown = sorted(set(table["use"]) - set(dims.uses))
    if unknown:
        raise LupOptError(f"uncertainty table: unknown use(s) {', '.join(unknown)}")
    per_indicator = {name: group.set_index("use") for name, group in table.groupby("indicator", sort=False)}
    idle = sorted(set(table["use"]) - set(possible))
    if idle:
        logger.warning(
            "robust compromise: use(s) %s of the uncertainty table can hold no land in %s in %s, so they are "
            "left out of the normalisation (best and worst use per scenario are taken among %s); optimLanduse, "
            "which normalises over every use in its table, would give other achievements",
            ", ".join(idle), scope_label(scope), year, ", ".join(possible))
    count = sum(2 ** len(possible) for _ in per_indicator)
    if count > max_scenarios:
        raise LupOptError(
            f"robust compromise: {len(per_indicator)} indicator(s) x 2^{len(possible)} combinations of high and "
            f"low outcomes of the {len(possible)} uses that can hold land = {count:,} scenarios, above the limit of "
            f"{max_scenarios:,}. Narrow the scope, forbid some uses there, or raise max_scenarios."
        )
    for name, rows in per_indicator.items():
        lacking = [u for u in possible if u not in rows.index]
        if lacking:
            raise LupOptError(f"uncertainty table: indicator '{name}' has no mean and se for use(s) "
                              f"{', '.join(lacking)}, which can hold land in {scope_label(scope)} in {year}")
    area_total = float(data.parts.area[np.isin(data.parts.unit, np.flatnonzero(scope_mask(scenario, scope)))].sum())
    area_block = lp.variable(AREA)
    session = WarmSession(lp, options)
    # One share column q_b per use, tied to the plan by A q_b = area under b at year t; the
    # scenario rows then touch |B| + 1 columns each, however many land units there are.
    shares = [session.add_column(0.0, np.inf) for _ in possible]
    beta = session.add_column(-np.inf, np.inf)
    for use, q in zip(possible, shares, strict=True):
        vector = np.zeros(lp.num_cols)
        vector[area_block.slice] = ((use_now == dims.uses.index(use)) & in_scope).astype(float)
        session.add_row(vector, 0.0, 0.0, extra={q: -area_total})
    blocks, rows_meta = [], []
    for name, rows in per_indicator.items():
        mean = rows.loc[possible, "mean"].to_numpy()
        se = rows.loc[possible, "se"].to_numpy()
        more = rows.loc[possible, "direction"].iloc[0] == Direction.MORE.value
        coefficients, constants = _scenario_rows(mean, se, level, more, rule)
        blocks.append((coefficients, constants))
        rows_meta.append((name, coefficients, constants))
    coefficients = np.vstack([c for c, _ in blocks])
    constants = np.concatenate([k for _, k in blocks])
    if not len(constants):
        raise LupOptError("robust compromise: in every scenario all uses have the same value; nothing to compare")
    owner = np.concatenate([np.full(len(k), i) for i, (_, k) in enumerate(blocks)])
    objective = np.zeros(len(shares) + 1)
    objective[-1] = 1.0
    session.set_objective(np.zeros(lp.num_cols), ObjectiveSense.MAXIMIZE, extra=objective)
    # Scenario rows are generated as they are needed: every row "achievement(q) - beta >= 0"
    # shares the same |B| + 1 columns, so all of them at once make interior point's normal
    # equations dense (112 s for 49,152 rows on the default scenario). Start from each
    # indicator's worst scenario at an even composition; add the most violated rows of the
    # optimum found; stop when none is violated: then that optimum is the full LP's.
    active = np.zeros(len(constants), dtype=bool)
    q = np.full(len(shares), 1.0 / len(shares))
    solved, rounds, beta_value = None, 0, 0.0
    while True:
        slack = coefficients @ q - constants - beta_value
        new = _most_violated(slack, owner, active, first=rounds == 0)
        if not len(new):
            break
        active[new] = True
        matrix = sp.hstack([sp.csr_matrix(coefficients[new]), sp.csr_matrix(-np.ones((len(new), 1)))]).tocsr()
        session.add_rows(matrix, [*shares, beta], constants[new], np.full(len(new), np.inf))
        solved = session.solve()
        rounds += 1
        if not solved.is_optimal:
            raise LupOptError(f"robust compromise: {solved.status.value} ({solved.message}); "
                              "run 'lup-opt explain' if the scenario itself has no plan")
        q, beta_value = solved.extra_values[: len(shares)], float(solved.extra_values[-1])
    x = solved.values
    q = solved.extra_values[: len(shares)]
    q = np.maximum(q, 0.0) + 0.0  # round-off below 0 (and -0.0) is no share
    composition = pd.DataFrame({"use": possible, "area_ha": q * area_total, "share": q})
    summary = []
    for name, coefficients, constants in rows_meta:
        rows = per_indicator[name]
        achieved = coefficients @ q - constants
        summary.append({
            "indicator": name, "direction": rows["direction"].iloc[0], "scenarios": len(achieved),
            "worst_achievement": float(achieved.min()) if len(achieved) else np.nan,
            "expected_value_per_ha": float(rows.loc[possible, "mean"].to_numpy() @ q),
        })
    return RobustCompromise(level, beta_value, x, composition, pd.DataFrame(summary), count, rounds,
                            int(active.sum()))
