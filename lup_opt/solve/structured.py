"""An exact column-generation solve for the plan LP's block-angular shape, with a certificate.

The plan LP has one equality row per part of land (C-AREA: the part's area columns sum to its
area, each area column in exactly one such row with coefficient 1) and comparatively few
coupling rows (targets, LDN, water, budgets) that touch many columns. An optimal basis has one
basic column per part plus at most one more per coupling row, so nearly every part keeps one
path at the optimum. Column generation exploits that:

- the *restricted master* holds every column that is not an area column, and of each part the
  area columns that could matter: at the start its keep-baseline column and its cheapest few;
  rows that the restricted master might not meet get an artificial column at a penalty, so it
  is always feasible;
- each round solves the restricted master with HiGHS (one persistent instance: columns are
  added in place and every round after the first is warm-started with simplex from the last
  basis), prices **every** area column of the full LP at once with the master's duals
  (``d = c - A^T y``, one sparse product), and adds, per part, the column whose reduced cost
  is most negative (in the minimisation sense), at most ``max_new`` columns a round;
- it stops when no column prices out and no artificial column is used.

The result is then *certified* on the full LP (:func:`certify`): the master's plan, padded with
zeros, must meet every row of the full matrix; every column's reduced cost with the master's
duals must have the sign its bound allows; and the duality gap (complementary slackness) must
be within 1e-9 of the objective, relative, so that the plan is optimal for the full LP and not
only for the master. Finally the full LP is handed to HiGHS with the master's basis (master
columns as the master left them, every other column nonbasic at its lower bound): HiGHS starts
from an optimal basis, so it only confirms it, and gives ranging and the basis of the LP itself.
Whenever a step cannot conclude (the LP lacks the shape, the certificate fails, the master keeps
an artificial column, i.e. the scenario may be infeasible), the full LP is solved with
:func:`solve_with_highspy` and the message says so, so infeasible scenarios are reported and
diagnosed exactly as before.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import perf_counter

import highspy
import numpy as np
import scipy.sparse as sp

from lup_opt.enums import Backend, ObjectiveSense, SolverMethod, SolveStatus
from lup_opt.model.land_balance import AREA, AREA_CONSERVATION
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.highs import (
    _basis,
    _configure,
    _read,
    _row_ranging,
    _status,
    apply_time_limit,
    highs_bounds,
    highs_version,
    new_highs,
    pass_lp,
    set_basis,
    solve_with_highspy,
)
from lup_opt.solve.options import Solution, SolverOptions

logger = logging.getLogger(__name__)

LOWER, BASIC = int(highspy.HighsBasisStatus.kLower), int(highspy.HighsBasisStatus.kBasic)

# The certificate's tolerances: feasibility (primal rows, dual signs) relative to the size of
# the terms involved, as HiGHS's own 1e-7; the duality gap relative to the objective.
FEASIBILITY_TOL = 1e-7
GAP_TOL = 1e-9


@dataclass(frozen=True)
class AreaStructure:
    """Where the LP is block-angular: the area columns, the part (C-AREA row) of each, and the
    coupling rows (every other row)."""

    area: slice  # the area columns
    part: np.ndarray  # per area column, its part (0 .. n_parts-1), sorted ascending
    n_parts: int
    part_rows: slice  # the C-AREA rows
    keep: np.ndarray  # per area column, whether it keeps the baseline use throughout

    @property
    def n_area(self) -> int:
        return len(self.part)


def area_structure(lp: LinearProgram) -> AreaStructure | None:
    """The LP's area-conservation structure, or None where the LP lacks it: C-AREA must be
    equality rows that partition the area columns (one entry of 1 per area column), with no
    other column in them, and area columns must have lower bound 0 (a column left out of the
    master is then at its bound)."""
    if not (lp.has_variables(AREA) and lp.has_constraint(AREA_CONSERVATION)):
        return None
    area, rows = lp.variable(AREA), lp.constraint(AREA_CONSERVATION)
    if area.size == 0 or rows.size == 0 or not np.array_equal(rows.lower, rows.upper):
        return None
    if not np.array_equal(area.lower, np.zeros(area.size)):
        return None
    # Straight on the column-wise arrays (no row-wise copy of the matrix): which entries lie in
    # the C-AREA rows, per column.
    matrix = lp.matrix
    inside = (matrix.indices >= rows.offset) & (matrix.indices < rows.offset + rows.size)
    counted = np.zeros(len(inside) + 1, dtype=np.int64)
    np.cumsum(inside, out=counted[1:])
    per_column = counted[matrix.indptr[1:]] - counted[matrix.indptr[:-1]]
    if np.any(per_column[area.slice] != 1) or per_column.sum() != area.size:
        return None  # an area column outside every part or in two, or another column in C-AREA
    entries = np.flatnonzero(inside)
    if np.any(matrix.data[entries] != 1.0):
        return None
    part = matrix.indices[entries].astype(np.int64) - rows.offset  # area columns' entries, in column order
    if np.any(np.diff(part) < 0):  # as the builder makes them: columns grouped by part
        return None
    labels = area.labels
    keep = np.zeros(area.size, dtype=bool)
    if "use" in labels and "baseline_use" in labels:
        keep = np.asarray(labels["use"].astype(str) == labels["baseline_use"].astype(str))
    return AreaStructure(area.slice, part, rows.size, rows.slice, keep)


def suits_structured(lp: LinearProgram, min_columns: int, max_coupling_share: float) -> bool:
    """Whether ``--method auto`` solves ``lp`` by column generation: large, with the area
    structure, and few coupling rows relative to parts."""
    if lp.num_cols < min_columns:
        return False
    structure = area_structure(lp)
    if structure is None:
        return False
    return lp.num_rows - structure.n_parts <= max_coupling_share * structure.n_parts


@dataclass(frozen=True)
class Certificate:
    """The checks of a plan and duals on the full LP (in the LP's own sense)."""

    primal_violation: float  # largest row or column bound violation, relative
    dual_violation: float  # largest reduced cost (or row dual) of the wrong sign, relative
    gap: float  # complementary slackness sum, relative to max(1, |objective|)
    objective: float
    worst_column: int | None  # the column with the largest dual violation, if any

    @property
    def ok(self) -> bool:
        return (self.primal_violation <= FEASIBILITY_TOL and self.dual_violation <= FEASIBILITY_TOL
                and self.gap <= GAP_TOL)

    def describe(self) -> str:
        return (f"primal violation {self.primal_violation:.1e}, dual violation {self.dual_violation:.1e}, "
                f"gap {self.gap:.1e} (relative)")


def certify(lp: LinearProgram, x: np.ndarray, y: np.ndarray, objective: float | None = None) -> Certificate:
    """Check that plan ``x`` and row duals ``y`` (HiGHS's convention, ``c - A^T y`` are the
    column duals) are optimal for the full LP ``lp``: ``x`` meets every row and column bound,
    every reduced cost and row dual has the sign its bound allows, and complementary slackness
    holds; ``objective`` (e.g. the master's) must equal ``c @ x`` as well. Vectorised over the
    whole matrix."""
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0  # to minimisation
    matrix = lp.matrix
    absolute = sp.csc_matrix((np.abs(matrix.data), matrix.indices, matrix.indptr), shape=matrix.shape)
    activity = matrix @ x
    col_lower, col_upper = lp.col_lower, lp.col_upper
    row_lower, row_upper = lp.row_lower, lp.row_upper

    row_scale = 1.0 + absolute @ np.abs(x)
    with np.errstate(invalid="ignore"):
        row_excess = np.maximum(np.maximum(row_lower - activity, activity - row_upper), 0.0) / row_scale
        col_excess = np.maximum(np.maximum(col_lower - x, x - col_upper), 0.0) / (1.0 + np.abs(x))
    primal = float(max(np.nanmax(row_excess, initial=0.0), np.nanmax(col_excess, initial=0.0)))

    ymin = sign * y  # duals of the minimisation form
    d = sign * lp.cost - matrix.T @ ymin  # reduced costs of the minimisation form
    col_scale = 1.0 + np.abs(lp.cost) + absolute.T @ np.abs(ymin)
    # A reduced cost may be positive only where the column can sit at its lower bound, negative
    # only at its upper bound (a fixed column may take either); likewise row duals.
    at_lower = np.isfinite(col_lower) & (x - col_lower <= FEASIBILITY_TOL * (1.0 + np.abs(x)))
    at_upper = np.isfinite(col_upper) & (col_upper - x <= FEASIBILITY_TOL * (1.0 + np.abs(x)))
    col_wrong = np.where(at_lower, 0.0, np.maximum(d, 0.0)) + np.where(at_upper, 0.0, np.maximum(-d, 0.0))
    col_wrong /= col_scale
    row_at_lower = np.isfinite(row_lower) & (activity - row_lower <= FEASIBILITY_TOL * row_scale)
    row_at_upper = np.isfinite(row_upper) & (row_upper - activity <= FEASIBILITY_TOL * row_scale)
    row_wrong = (np.where(row_at_lower, 0.0, np.maximum(ymin, 0.0))
                 + np.where(row_at_upper, 0.0, np.maximum(-ymin, 0.0))) / (1.0 + np.abs(ymin))
    dual = float(max(col_wrong.max(initial=0.0), row_wrong.max(initial=0.0)))
    worst = int(np.argmax(col_wrong)) if col_wrong.size and col_wrong.max() > FEASIBILITY_TOL else None

    # Complementary slackness: the primal minus the dual objective, written as the sum of
    # |dual| x distance to the bound the dual's sign belongs to (finite wherever it counts).
    primal_objective = float(lp.cost @ x) + lp.objective_offset
    with np.errstate(invalid="ignore"):
        row_bound = np.where(ymin > 0, row_lower, np.where(ymin < 0, row_upper, activity))
        col_bound = np.where(d > 0, col_lower, np.where(d < 0, col_upper, x))
        slack = np.abs(ymin) * np.abs(activity - row_bound)
        col_slack = np.abs(d) * np.abs(x - col_bound)
    # A dual of the wrong sign on a side without a bound (infinite distance) is a dual
    # violation, measured above; it adds nothing here.
    slack[~np.isfinite(slack)] = 0.0
    col_slack[~np.isfinite(col_slack)] = 0.0
    slackness = float(slack.sum() + col_slack.sum())
    scale = max(1.0, abs(primal_objective))
    gap = slackness / scale
    if objective is not None:
        gap = max(gap, abs(primal_objective - objective) / scale)
    return Certificate(primal, dual, gap, primal_objective, worst)


@dataclass
class StructuredReport:
    """What column generation did, for the manifest (``solver.structured``)."""

    rounds: int = 0
    initial_columns: int = 0
    columns_generated: int = 0
    area_columns: int = 0
    master_seconds: float = 0.0
    pricing_seconds: float = 0.0
    certificate_seconds: float = 0.0
    lagrangian_rounds: int = 0  # plans generated by the aggregated (Dantzig-Wolfe) warm start
    lagrangian_seconds: float = 0.0
    lagrangian_bound: tuple[float, float] | None = None  # the aggregated master's value, Lagrangian bound
    full_lp_seconds: float = 0.0  # the final hand-off of the full LP with the master's basis
    full_lp_iterations: int | None = None  # simplex iterations HiGHS needed from that basis (0: optimal as given)
    certificate: str = ""
    fallback: str | None = None  # why the full LP was solved instead, if it was
    history: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {k: (round(float(v), 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}
        if self.lagrangian_bound is not None:
            out["lagrangian_bound"] = [float(v) for v in self.lagrangian_bound]
        return out


@dataclass(frozen=True)
class StructuredSettings:
    initial_cheapest: int = 2  # per part, beside its keep-baseline column
    max_new: int | None = None  # columns added a round (None: one per part that prices out)
    max_rounds: int = 200
    # the first master's HiGHS method (None: the options'); simplex measured faster, as presolve
    # leaves little of a master whose parts mostly have one column
    first_method: SolverMethod | None = SolverMethod.SIMPLEX
    lagrangian_rounds: int = 60  # at most this many whole plans priced to estimate the duals (0: none)
    plan_union: bool = False  # start from every plan the aggregated master mixes (else the heaviest one)
    lagrangian_coupling_share: float = 0.25  # ... where coupling rows are at most this share of the parts
    lagrangian_gap: float = 1e-5  # ... until the Lagrangian bound is this close, relative
    penalty_factor: float = 1e4  # artificial columns' cost: this times the largest |cost|, at least 1e4
    confirm_full: bool = True  # hand the full LP to HiGHS with the master's basis (ranging, basis)

    def __post_init__(self) -> None:
        if self.first_method is not None:
            object.__setattr__(self, "first_method", SolverMethod(self.first_method))


def solve_structured(lp: LinearProgram, options: SolverOptions | None = None,
                     settings: StructuredSettings | None = None) -> Solution:
    """Solve ``lp`` by column generation over its area columns; an optimal basic solution of
    the full LP, certified, in the same :class:`Solution` as :func:`solve_with_highspy` gives
    (every column and row of the full LP), with ``structured`` describing the rounds."""
    options = options or SolverOptions()
    settings = settings or StructuredSettings()
    report = StructuredReport()
    start = perf_counter()
    structure = area_structure(lp)
    if structure is None:
        return _fallback(lp, options, report, "the LP has no area-conservation block that partitions its area "
                         "columns")
    with tempfile.TemporaryDirectory(prefix="lup_opt_cg_") as tmp:
        log_file = Path(tmp) / "highs.log"
        solution = _column_generation(lp, structure, options, settings, report, log_file, start)
        log = _read(log_file)
    if solution is None:  # fell back
        return _fallback(lp, options, report, report.fallback or "column generation did not conclude")
    return replace(solution, log=_summary(report) + log, structured=report.as_dict())


def _column_generation(lp: LinearProgram, structure: AreaStructure, options: SolverOptions,
                       settings: StructuredSettings, report: StructuredReport, log_file: Path,
                       start: float) -> Solution | None:
    sign = -1.0 if lp.sense is ObjectiveSense.MAXIMIZE else 1.0
    area = structure.area
    n_area = structure.n_area
    cost = lp.cost
    area_cost = sign * cost[area]
    area_upper = lp.col_upper[area]
    usable = area_upper > 0  # a column fixed at 0 never needs to enter
    part = structure.part
    starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
    if len(starts) != structure.n_parts:
        report.fallback = "a part of land has no area column"
        return None
    counts = np.diff(np.r_[starts, n_area])
    report.area_columns = n_area

    coupling = np.r_[np.arange(0, structure.part_rows.start), np.arange(structure.part_rows.stop, lp.num_rows)]
    penalty = settings.penalty_factor * max(1.0, float(np.abs(cost).max(initial=0.0)))
    chosen = None
    # The aggregated master has one row per coupling row: worth it only where those are few
    # (measured on the default scenario, 2,565 coupling rows for 1,420 parts: 6.6 s against 0).
    if settings.lagrangian_rounds and len(coupling) <= settings.lagrangian_coupling_share * structure.n_parts:
        tick = perf_counter()
        chosen = _plan_columns(lp, structure, sign, usable, starts, coupling, penalty, options, settings, report)
        report.lagrangian_seconds = perf_counter() - tick
    if chosen is None:
        # The initial master: per part its keep-baseline column and its cheapest usable ones.
        ranked = np.where(usable, area_cost, np.inf)
        order = np.lexsort((ranked, part))  # by part, then cost
        rank = np.empty(n_area, dtype=np.int64)
        rank[order] = np.arange(n_area) - np.repeat(starts, counts)
        chosen = (usable & (rank < settings.initial_cheapest)) | (usable & structure.keep)
    # A part whose columns are all fixed at 0 keeps one (its row then says it cannot be met).
    has = np.add.reduceat(chosen.astype(np.int64), starts) > 0
    if not has.all():
        chosen[starts[~has]] = True
    in_master = chosen.copy()
    first_cols = np.flatnonzero(chosen) + area.start
    others = np.r_[np.arange(0, area.start), np.arange(area.stop, lp.num_cols)]
    master_cols = np.concatenate([others, first_cols]).astype(np.int64)
    report.initial_columns = int(chosen.sum())

    # Artificial columns on the coupling rows (every row that is not C-AREA), so that the master
    # is feasible from the start; their cost is far above what any plan column could save.
    row_lower, row_upper = lp.row_lower, lp.row_upper
    need_up = coupling[np.isfinite(row_lower[coupling])]  # +1: raises the row's activity
    need_down = coupling[np.isfinite(row_upper[coupling])]

    highs = new_highs()
    _configure(highs, options, log_file)
    if options.threads is not None:
        highspy.Highs.resetGlobalScheduler(True)
    sub = lp.matrix[:, master_cols]
    status = highs.passModel(
        len(master_cols), lp.num_rows, int(sub.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize if sign < 0 else highspy.ObjSense.kMinimize), float(lp.objective_offset),
        np.ascontiguousarray(cost[master_cols]), highs_bounds(lp.col_lower[master_cols]),
        highs_bounds(lp.col_upper[master_cols]), highs_bounds(row_lower), highs_bounds(row_upper),
        sub.indptr.astype(np.int32), sub.indices.astype(np.int32), np.ascontiguousarray(sub.data, dtype=float),
        np.zeros(len(master_cols), dtype=np.int32),
    )
    del sub
    if status == highspy.HighsStatus.kError:
        report.fallback = "HiGHS rejected the restricted master"
        return None
    n_real = len(master_cols)
    artificial_rows = np.r_[need_up, need_down]
    artificial_sign = np.r_[np.ones(len(need_up)), -np.ones(len(need_down))]
    n_art = len(artificial_rows)
    if n_art:
        highs.addCols(n_art, np.full(n_art, sign * penalty), np.zeros(n_art), np.full(n_art, highspy.kHighsInf),
                      n_art, np.arange(n_art, dtype=np.int32), artificial_rows.astype(np.int32), artificial_sign)
    # Master column k: full column full_of[k], or -1 for an artificial.
    full_of = np.r_[master_cols, np.full(n_art, -1)]

    matrix = lp.matrix  # every column priced in one product (the area columns' part kept)
    absolute = sp.csc_matrix((np.abs(matrix.data), matrix.indices, matrix.indptr), shape=matrix.shape)
    max_new = settings.max_new or structure.n_parts
    message = ""
    for round_ in range(1, settings.max_rounds + 1):
        if options.out_of_time():
            return _out_of_time(report, start)
        if round_ == 1 and settings.first_method is not None:
            highs.setOptionValue("solver", settings.first_method.value)
        if round_ > 1:
            highs.setOptionValue("solver", SolverMethod.SIMPLEX.value)
        apply_time_limit(highs, options)
        tick = perf_counter()
        highs.run()
        master_seconds = perf_counter() - tick
        report.master_seconds += master_seconds
        report.rounds = round_
        status, message = _status(highs)
        if status is SolveStatus.TIME_LIMIT:
            return _out_of_time(report, start)
        if status is not SolveStatus.OPTIMAL:
            # Unbounded or infeasible: the master's artificial columns keep it from proving
            # either for the full LP, which is solved instead (and reports it as such).
            report.fallback = f"the restricted master ended '{message}' in round {round_}"
            return None
        solution = highs.getSolution()
        y = np.asarray(solution.row_dual)
        tick = perf_counter()
        ymin = sign * y
        d = area_cost - (matrix.T @ ymin)[area]  # reduced costs of every area column (minimisation)
        scale = 1.0 + np.abs(area_cost) + (absolute.T @ np.abs(ymin))[area]
        violation = np.where(usable & ~in_master, d / scale, 0.0)
        # Per part the most negative reduced cost (columns are grouped by part).
        best = np.minimum.reduceat(violation, starts)
        priced = np.flatnonzero(best < -FEASIBILITY_TOL)
        values = np.asarray(solution.col_value)
        artificial_used = float(values[n_real:n_real + n_art].sum()) if n_art else 0.0
        report.history.append({"round": round_, "objective": float(highs.getInfo().objective_function_value),
                               "priced_out": len(priced), "artificial": artificial_used,
                               "iterations": int(highs.getInfo().simplex_iteration_count),
                               "seconds": round(master_seconds, 3)})
        logger.info("column generation round %d: objective %.10g, %d parts price out, %.2f s in HiGHS",
                    round_, report.history[-1]["objective"], len(priced), master_seconds)
        if len(priced) == 0:
            report.pricing_seconds += perf_counter() - tick
            break
        if len(priced) > max_new:
            priced = priced[np.argsort(best[priced])[:max_new]]
        # The first column of each chosen part that attains the part's minimum.
        mins = np.full(structure.n_parts, np.inf)
        mins[priced] = best[priced]
        hit = np.flatnonzero(violation == mins[part])
        hit = hit[np.r_[True, part[hit][1:] != part[hit][:-1]]] if len(hit) else hit
        in_master[hit] = True
        new_cols = hit + area.start
        block = lp.matrix[:, new_cols]
        highs.addCols(len(new_cols), np.ascontiguousarray(cost[new_cols]), highs_bounds(lp.col_lower[new_cols]),
                      highs_bounds(lp.col_upper[new_cols]), int(block.nnz), block.indptr[:-1].astype(np.int32),
                      block.indices.astype(np.int32), np.ascontiguousarray(block.data, dtype=float))
        full_of = np.r_[full_of, new_cols]
        report.columns_generated += len(new_cols)
        report.pricing_seconds += perf_counter() - tick
    else:
        report.fallback = f"no convergence in {settings.max_rounds} rounds"
        return None

    if artificial_used > FEASIBILITY_TOL * (1.0 + np.abs(row_lower[np.isfinite(row_lower)]).max(initial=0.0)):
        report.fallback = (f"the restricted master needs artificial slack ({artificial_used:.3g}) on its rows, so "
                           "the scenario may have no plan")
        return None

    # The certificate on the full LP: the master's plan padded with zeros, the master's duals.
    tick = perf_counter()
    real = full_of >= 0
    x = np.zeros(lp.num_cols)
    x[full_of[real]] = values[real]
    objective = float(highs.getInfo().objective_function_value)
    certificate = certify(lp, x, y, objective)
    report.certificate = certificate.describe()
    report.certificate_seconds = perf_counter() - tick
    if not certificate.ok:
        report.fallback = f"the certificate failed ({certificate.describe()})"
        return None

    basis = None
    master_basis = highs.getBasis()
    if master_basis.valid:
        col_status = np.fromiter((int(s) for s in master_basis.col_status), dtype=np.int8,
                                 count=len(master_basis.col_status))
        row_status = np.fromiter((int(s) for s in master_basis.row_status), dtype=np.int8,
                                 count=len(master_basis.row_status))
        full_cols = np.full(lp.num_cols, LOWER, dtype=np.int8)
        full_cols[full_of[real]] = col_status[real]
        # An artificial column left basic (at 0) stands for its row's own slack.
        art_basic = np.flatnonzero(~real & (col_status == BASIC))
        row_status[np.r_[artificial_rows][art_basic - n_real]] = BASIC
        basis = (full_cols, row_status)
    solver_seconds = perf_counter() - start
    del highs

    summary = (f"column generation: {report.rounds} rounds, {report.initial_columns + report.columns_generated:,} "
               f"of {n_area:,} area columns; certified on the full LP")
    note = "no basis of the full LP" if basis is None else "the full LP was not handed to HiGHS"
    if settings.confirm_full and basis is not None:
        confirmed, note = _confirm_full(lp, options, basis, objective, report, log_file)
        if confirmed is not None:
            return replace(confirmed, solver_seconds=solver_seconds + confirmed.solver_seconds,
                           message=f"{confirmed.message} ({summary})")
        if note.startswith("HiGHS found"):  # the full LP disagrees with the certificate: trust HiGHS
            report.fallback = note
            return None
    activity = lp.matrix @ x
    return Solution(
        status=SolveStatus.OPTIMAL,
        message=f"{message} ({summary}; no ranging: {note})",
        objective=objective, col_values=x, row_values=activity, row_duals=y,
        col_duals=lp.cost - lp.matrix.T @ y, backend=Backend.HIGHSPY, solver=highs_version(),
        handoff_seconds=0.0, solver_seconds=solver_seconds, extract_seconds=0.0, log="",
        ranging=None, basis=basis if options.keep_basis else None,
    )


def _plan_columns(lp: LinearProgram, structure: AreaStructure, sign: float, usable: np.ndarray,
                  starts: np.ndarray, coupling: np.ndarray, penalty: float, options: SolverOptions,
                  settings: StructuredSettings, report: StructuredReport) -> np.ndarray | None:
    """The area columns of the first restricted master, from estimated duals of the coupling
    rows: Dantzig-Wolfe over whole plans (one block: every part picks its best column under the
    duals, so a plan is priced by one sparse product), a master of the coupling rows, one
    convexity row and the non-area columns. Its duals converge to the full LP's coupling duals
    (the Lagrangian bound closes); the columns of the plans it mixes, and each part's best
    column under its last duals, start the exact column generation. None if it cannot run."""
    area = structure.area
    part_area = lp.row_lower[structure.part_rows]
    area_cost = sign * lp.cost[area]
    matrix = lp.matrix  # products with the whole matrix, C-AREA rows weighted 0: no copies
    others = np.r_[np.arange(0, area.start), np.arange(area.stop, lp.num_cols)]
    other_block = matrix[:, others][coupling].tocsc()  # few columns
    k = len(coupling)
    weights = np.zeros(lp.num_rows)
    row_lower, row_upper = lp.row_lower[coupling], lp.row_upper[coupling]
    need_up = np.flatnonzero(np.isfinite(row_lower))
    need_down = np.flatnonzero(np.isfinite(row_upper))
    highs = new_highs()
    _configure(highs, replace(options, method=SolverMethod.SIMPLEX), None)
    highs.setOptionValue("output_flag", False)
    lower = np.r_[row_lower, 1.0]
    upper = np.r_[row_upper, 1.0]
    highs.passModel(
        len(others), k + 1, int(other_block.nnz), int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize), 0.0, np.ascontiguousarray(sign * lp.cost[others]),
        highs_bounds(lp.col_lower[others]), highs_bounds(lp.col_upper[others]), highs_bounds(lower),
        highs_bounds(upper), other_block.indptr.astype(np.int32), other_block.indices.astype(np.int32),
        np.ascontiguousarray(other_block.data, dtype=float), np.zeros(len(others), dtype=np.int32),
    )
    art_rows = np.r_[need_up, need_down]
    n_art = len(art_rows)
    if n_art:
        highs.addCols(n_art, np.full(n_art, penalty), np.zeros(n_art), np.full(n_art, highspy.kHighsInf), n_art,
                      np.arange(n_art, dtype=np.int32), art_rows.astype(np.int32),
                      np.r_[np.ones(len(need_up)), -np.ones(len(need_down))])
    first_plan = highs.getNumCol()
    offer = np.where(usable, 0.0, np.inf)
    plans: list[np.ndarray] = []

    def best_columns(reduced: np.ndarray) -> np.ndarray:
        values = reduced + offer
        mins = np.minimum.reduceat(values, starts)
        hit = np.flatnonzero(values == mins[structure.part])
        return hit[np.r_[True, structure.part[hit][1:] != structure.part[hit][:-1]]]

    def add_plan(columns: np.ndarray) -> None:
        x = np.zeros(lp.num_cols)
        x[area.start + columns] = part_area
        activity = (matrix @ x)[coupling]
        nonzero = np.flatnonzero(activity)
        highs.addCols(1, np.array([area_cost @ x[area]]), np.zeros(1), np.full(1, highspy.kHighsInf),
                      len(nonzero) + 1, np.zeros(1, dtype=np.int32), np.r_[nonzero, k].astype(np.int32),
                      np.r_[activity[nonzero], 1.0])
        plans.append(columns)

    if len(best_columns(area_cost)) != structure.n_parts:
        return None
    add_plan(best_columns(area_cost))
    keep = np.flatnonzero(structure.keep & usable)
    if len(keep) and len(np.unique(structure.part[keep])) == structure.n_parts:
        add_plan(keep[np.r_[True, structure.part[keep][1:] != structure.part[keep][:-1]]])
    columns = None
    for _ in range(settings.lagrangian_rounds):
        if options.out_of_time():
            return None
        apply_time_limit(highs, options)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        duals = np.asarray(highs.getSolution().row_dual)
        y, mu = duals[:k], duals[k]
        weights[coupling] = y
        reduced = area_cost - (matrix.T @ weights)[area]
        columns = best_columns(reduced)
        plan_reduced = float(reduced[columns] @ part_area) - mu
        value = float(highs.getInfo().objective_function_value)
        report.lagrangian_rounds += 1
        report.lagrangian_bound = (value, value + plan_reduced)
        logger.debug("aggregated master %d: %.10g, Lagrangian bound %.10g", report.lagrangian_rounds, value,
                     value + plan_reduced)
        if plan_reduced >= -settings.lagrangian_gap * max(1.0, abs(value)):
            break
        add_plan(columns)
    weights = np.asarray(highs.getSolution().col_value)[first_plan:]
    chosen = np.zeros(structure.n_area, dtype=bool)
    if settings.plan_union:
        for weight, plan in zip(weights, plans, strict=True):
            if weight > 1e-12:
                chosen[plan] = True
    else:  # measured faster: the plan of largest weight (feasible when it has all the weight)
        chosen[plans[int(np.argmax(weights))]] = True
    if columns is not None:
        chosen[columns] = True
    return chosen


def _confirm_full(lp: LinearProgram, options: SolverOptions, basis: tuple[np.ndarray, np.ndarray],
                  objective: float, report: StructuredReport, log_file: Path) -> tuple[Solution | None, str]:
    """The full LP in HiGHS from the certified basis: simplex finds it optimal at once and
    gives the full LP's own solution, ranging and basis. (None, why) where it cannot."""
    tick = perf_counter()
    highs = new_highs()
    _configure(highs, replace(options, method=SolverMethod.SIMPLEX), log_file)
    pass_lp(highs, lp)
    handoff = perf_counter() - tick
    if not set_basis(highs, basis):
        report.full_lp_seconds = perf_counter() - tick
        return None, "HiGHS refused the master's basis for the full LP"
    apply_time_limit(highs, options)
    highs.run()
    status, message = _status(highs)
    report.full_lp_seconds = perf_counter() - tick
    if status is not SolveStatus.OPTIMAL:
        return None, f"the full LP from the master's basis ended '{message}'"
    info = highs.getInfo()
    full_objective = float(info.objective_function_value)
    report.full_lp_iterations = int(info.simplex_iteration_count)
    if abs(full_objective - objective) > GAP_TOL * max(1.0, abs(objective)):
        return None, f"HiGHS found the full LP's optimum at {full_objective!r}, the master at {objective!r}"
    tick = perf_counter()
    solution = highs.getSolution()
    out = Solution(
        status=SolveStatus.OPTIMAL, message=message, objective=full_objective,
        col_values=np.asarray(solution.col_value), row_values=np.asarray(solution.row_value),
        row_duals=np.asarray(solution.row_dual), col_duals=np.asarray(solution.col_dual),
        backend=Backend.HIGHSPY, solver=highs_version(), handoff_seconds=handoff,
        solver_seconds=float(highs.getRunTime()), extract_seconds=0.0, log="",
        ranging=_row_ranging(highs), basis=_basis(highs) if options.keep_basis else None,
    )
    return replace(out, extract_seconds=perf_counter() - tick), ""


def _fallback(lp: LinearProgram, options: SolverOptions, report: StructuredReport, reason: str) -> Solution:
    report.fallback = reason
    full = solve_with_highspy(lp, options)
    return replace(full, message=f"{full.message} (structured solve: {reason}; solved the full LP instead)",
                   structured=report.as_dict(), log=_summary(report) + full.log)


def _no_plan(status: SolveStatus, message: str, report: StructuredReport, start: float) -> Solution:
    return Solution(status, message, None, None, None, None, None, Backend.HIGHSPY, highs_version(), 0.0,
                    perf_counter() - start, 0.0, "", structured=report.as_dict())


def _out_of_time(report: StructuredReport, start: float) -> Solution:
    return _no_plan(SolveStatus.TIME_LIMIT, f"HiGHS: Time limit reached (column generation, round {report.rounds})",
                    report, start)


def _summary(report: StructuredReport) -> str:
    lines = [(f"lup_opt structured solve: {report.rounds} rounds, {report.initial_columns:,} initial and "
              f"{report.columns_generated:,} generated of {report.area_columns:,} area columns")]
    if report.certificate:
        lines.append(f"certificate on the full LP: {report.certificate}")
    if report.fallback:
        lines.append(f"fell back to the full LP: {report.fallback}")
    return "\n".join(lines) + "\n\n"
