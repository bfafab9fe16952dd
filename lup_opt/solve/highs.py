"""The LP straight to HiGHS through highspy: arrays in, arrays out.

Only this module and the Pyomo backend touch a solver. HiGHS's log goes to a file that is kept
with the results.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from time import perf_counter

import highspy
import numpy as np
import scipy.sparse as sp

from lup_opt.enums import Backend, ObjectiveSense, SolverMethod, SolveStatus
from lup_opt.model.lp import LinearProgram
from lup_opt.solve.names import column_names, row_names
from lup_opt.solve.options import RowRanging, Solution, SolverOptions, default_threads

logger = logging.getLogger(__name__)

DUAL_SIMPLEX, PRIMAL_SIMPLEX = 1, 4  # HiGHS's simplex_strategy (1, dual: its default)

_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
}


@contextmanager
def _stdout_silenced() -> Iterator[None]:
    """File descriptor 1 to /dev/null for the duration (HiGHS's C++ banner bypasses sys.stdout)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdout (a notebook, a test runner)
        fd = 1
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


# HiGHS runs every instance of a process on one thread pool, started with the thread count of
# the first run, and refuses a run that asks for another count ("the scheduler has already been
# initialized to use 2 threads"). This mirrors that process-wide state: the count the pool was
# last started with here, so that a new count restarts it once instead of failing.
_pool_threads: list[int] = []


def new_highs(threads: int | None = None) -> highspy.Highs:
    """A Highs instance on ``threads`` threads (default: those of the pool as it runs, or half
    the cores this process may use); the banner HiGHS prints on its first construction is kept
    off stdout."""
    with _stdout_silenced():
        highs = highspy.Highs()
    if threads is None:
        threads = _pool_threads[0] if _pool_threads else default_threads()
    use_threads(highs, threads)
    return highs


def thread_pool_for(threads: int) -> None:
    """HiGHS's thread pool on ``threads`` threads: restarted where it runs on another count."""
    if _pool_threads != [threads]:
        highspy.Highs.resetGlobalScheduler(True)
        _pool_threads[:] = [threads]


def use_threads(highs: highspy.Highs, threads: int) -> None:
    """Give ``highs`` ``threads`` threads (every Highs of the process shares one pool)."""
    thread_pool_for(threads)
    highs.setOptionValue("threads", int(threads))


def highs_bounds(values: np.ndarray) -> np.ndarray:
    """numpy's infinities as HiGHS's (the one place they are converted)."""
    values = np.asarray(values, dtype=float)
    return np.clip(values, -highspy.kHighsInf, highspy.kHighsInf)


def is_feasible(col_lower: np.ndarray, col_upper: np.ndarray, rows: Sequence[tuple[np.ndarray, np.ndarray]],
                row_lower: np.ndarray, row_upper: np.ndarray) -> bool:
    """Whether a small system ``row_lower <= A x <= row_upper``, ``col_lower <= x <= col_upper``
    has a solution; ``rows`` gives each row of A as (column indices, values). For checks before
    solving, which must not build the whole LP."""
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.addVars(len(col_lower), highs_bounds(col_lower), highs_bounds(col_upper))
    lower, upper = highs_bounds(row_lower), highs_bounds(row_upper)
    for r, (index, value) in enumerate(rows):
        highs.addRow(lower[r], upper[r], len(index), np.asarray(index, dtype=np.int32), np.asarray(value, dtype=float))
    highs.run()
    return highs.getModelStatus() == highspy.HighsModelStatus.kOptimal


def highs_version() -> str:
    return f"HiGHS {new_highs().version()}"


def to_highs_lp(lp: LinearProgram, with_names: bool = False) -> highspy.HighsLp:
    """The LP as a HighsLp, its matrix passed column-wise (as HiGHS keeps it: no transposition)."""
    model = highspy.HighsLp()
    model.num_col_ = lp.num_cols
    model.num_row_ = lp.num_rows
    model.col_cost_ = lp.cost
    model.col_lower_ = highs_bounds(lp.col_lower)
    model.col_upper_ = highs_bounds(lp.col_upper)
    model.row_lower_ = highs_bounds(lp.row_lower)
    model.row_upper_ = highs_bounds(lp.row_upper)
    model.offset_ = lp.objective_offset
    model.sense_ = highspy.ObjSense.kMaximize if lp.sense is ObjectiveSense.MAXIMIZE else highspy.ObjSense.kMinimize
    matrix = lp.matrix
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = lp.num_cols
    model.a_matrix_.num_row_ = lp.num_rows
    model.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    model.a_matrix_.index_ = matrix.indices.astype(np.int32)
    model.a_matrix_.value_ = matrix.data
    if with_names:
        model.col_names_ = column_names(lp)
        model.row_names_ = row_names(lp)
    return model


def pass_lp(highs: highspy.Highs, lp: LinearProgram, cost: np.ndarray | None = None) -> highspy.HighsStatus:
    """Hand ``lp`` to ``highs`` through the pointer interface of ``passModel``: the numpy arrays
    are read in place. (Assigning them to a HighsLp first copies every entry through Python:
    measured 3.1 s against 0.9 s at 27 million non-zeros.) ``cost`` replaces the objective."""
    return _pass_arrays(highs, lp.sense, lp.objective_offset, lp.cost if cost is None else cost,
                        lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper, lp.matrix)


def _pass_arrays(highs: highspy.Highs, sense: ObjectiveSense, offset: float, cost: np.ndarray,
                 col_lower: np.ndarray, col_upper: np.ndarray, row_lower: np.ndarray, row_upper: np.ndarray,
                 matrix: sp.csc_matrix) -> highspy.HighsStatus:
    num_rows, num_cols = matrix.shape
    highs_sense = highspy.ObjSense.kMaximize if sense is ObjectiveSense.MAXIMIZE else highspy.ObjSense.kMinimize
    return highs.passModel(
        num_cols, num_rows, int(matrix.nnz), int(highspy.MatrixFormat.kColwise), int(highs_sense),
        float(offset),
        np.ascontiguousarray(cost, dtype=float),
        highs_bounds(col_lower),
        highs_bounds(col_upper),
        highs_bounds(row_lower),
        highs_bounds(row_upper),
        matrix.indptr.astype(np.int32, copy=False),
        matrix.indices.astype(np.int32, copy=False),
        np.ascontiguousarray(matrix.data, dtype=float),
        # All continuous; passed explicitly because HiGHS reads num_col entries from this pointer.
        np.zeros(num_cols, dtype=np.int32),
    )


def ranging_at_basis(lp: LinearProgram, col_values: np.ndarray, basis: tuple[np.ndarray, np.ndarray],
                     objective: float, options: SolverOptions, log_file: Path | None = None) -> RowRanging | None:
    """The row ranging of ``lp`` at its optimal ``basis`` (HiGHS status codes) with column values
    ``col_values``, computed by HiGHS on the LP of the basic columns alone; None where HiGHS does
    not find that LP optimal at the basis as given, with the full LP's objective.

    Why this is the full LP's ranging: a row bound's range is a primal ratio test over the basic
    variables (how far the bound moves before a basic variable reaches one of its bounds), at the
    objective's slope, the row's dual. The nonbasic columns stay at their values throughout, so
    they can be folded into the row bounds (``shift``) and left out. Handing HiGHS the full LP for
    this instead means a simplex copy of it and ranging of every column: measured at 100,000
    parcels, 1.6 GB more at the peak.
    """
    col_status, row_status = basis
    basic = np.asarray(col_status) == int(highspy.HighsBasisStatus.kBasic)
    fixed = np.where(basic, 0.0, col_values)
    shift = lp.matrix @ fixed
    highs = new_highs()
    _configure(highs, replace(options, method=SolverMethod.SIMPLEX, presolve=False), log_file)
    _pass_arrays(highs, lp.sense, lp.objective_offset + float(lp.cost @ fixed), lp.cost[basic],
                 lp.col_lower[basic], lp.col_upper[basic], lp.row_lower - shift, lp.row_upper - shift,
                 lp.matrix[:, basic])
    basic_code = np.full(int(basic.sum()), int(highspy.HighsBasisStatus.kBasic), dtype=np.int8)
    if not set_basis(highs, (basic_code, np.asarray(row_status))):
        return None
    apply_time_limit(highs, options)
    highs.run()
    status, _ = _status(highs)
    info = highs.getInfo()
    if (status is not SolveStatus.OPTIMAL or info.simplex_iteration_count != 0
            or abs(info.objective_function_value - objective) > 1e-9 * max(1.0, abs(objective))):
        logger.info("the basic columns' LP was not optimal at the basis as given (%s, %d iterations)",
                    highs.modelStatusToString(highs.getModelStatus()), info.simplex_iteration_count)
        return None
    ranging = _row_ranging(highs)
    if ranging is None:
        return None
    return replace(ranging, lower_value=ranging.lower_value + shift, upper_value=ranging.upper_value + shift)


def _configure(highs: highspy.Highs, options: SolverOptions, log_file: Path | None) -> None:
    highs.setOptionValue("output_flag", True)
    highs.setOptionValue("log_to_console", False)
    if log_file is not None:
        highs.setOptionValue("log_file", str(log_file))
    highs.setOptionValue("solver", options.highs_method)
    highs.setOptionValue("run_crossover", "on" if options.crossover else "off")
    highs.setOptionValue("presolve", "on" if options.presolve else "off")
    apply_time_limit(highs, options)
    use_threads(highs, options.solver_threads)


def apply_time_limit(highs: highspy.Highs, options: SolverOptions) -> None:
    """Give HiGHS what is left of the command's time budget (call before every run)."""
    left = options.remaining()
    if left is not None:
        # HiGHS takes 0 as "stop at once"; a hair above it still reports kTimeLimit, not an error.
        highs.setOptionValue("time_limit", max(float(left), 1e-3))


@dataclass(frozen=True)
class WarmStart:
    """Where a solve may begin instead of from scratch; it only ever saves time: a start that
    ends neither optimal nor proven infeasible is dropped and the LP solved afresh with the
    configured method.

    - ``col_values`` with ``row_duals``: a point near this LP's optimum whose columns meet its
      rows and bounds (a scenario's part of a stochastic plan): HiGHS's crossover makes a basis
      of it and primal simplex finishes from there;
    - ``basis``: an optimal basis of an LP of this one's shape, at best one that differs only in
      column or row bounds (HiGHS status codes, as ``Solution.basis``): dual simplex
      re-optimises it.
    """

    col_values: np.ndarray | None = None
    row_duals: np.ndarray | None = None
    basis: tuple[np.ndarray, np.ndarray] | None = None


def crossover_from(highs: highspy.Highs, lp: LinearProgram, col_values: np.ndarray, row_duals: np.ndarray) -> bool:
    """HiGHS's crossover from the point (``col_values``, ``row_duals``) of ``lp`` (the LP
    ``highs`` holds, objective included): True if it left a valid basis. It ends short of
    optimal when the duals are not dual feasible; its basis is then still a start."""
    x, y = np.asarray(col_values, dtype=float), np.asarray(row_duals, dtype=float)
    point = highspy.HighsSolution()
    point.col_value, point.row_value = x, np.asarray(lp.matrix @ x)
    point.row_dual, point.col_dual = y, np.asarray(lp.cost - lp.matrix.T @ y)
    point.value_valid = point.dual_valid = True
    highs.crossover(point)
    return bool(highs.getBasis().valid)


def _warm_run(highs: highspy.Highs, lp: LinearProgram, start: WarmStart, options: SolverOptions) -> bool:
    """Run HiGHS from ``start``; True if that settled the LP (optimal, or infeasible: simplex
    from a basis runs on the LP as given, without presolve), else False with HiGHS ready for a
    cold run."""
    if start.basis is not None:
        began = set_basis(highs, start.basis)
        strategy = DUAL_SIMPLEX
    else:
        apply_time_limit(highs, options)
        began = crossover_from(highs, lp, start.col_values, start.row_duals)
        strategy = PRIMAL_SIMPLEX
    if began:
        highs.setOptionValue("solver", SolverMethod.SIMPLEX.value)
        highs.setOptionValue("simplex_strategy", strategy)
        apply_time_limit(highs, options)
        highs.run()
        highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
        status, message = _status(highs)
        if status is SolveStatus.OPTIMAL or highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            return True
        logger.debug("the warm start ended %s (%s); solving afresh", status.value, message)
    else:
        logger.debug("the warm start gave HiGHS no basis; solving afresh")
    highs.setOptionValue("solver", options.highs_method)
    highs.clearSolver()
    apply_time_limit(highs, options)
    return False


def solve_with_highspy(lp: LinearProgram, options: SolverOptions | None = None,
                       warm_start: WarmStart | None = None) -> Solution:
    """Solve ``lp`` with HiGHS (from ``warm_start`` when given). Never raises for solver outcomes:
    they are in ``status``."""
    options = options or SolverOptions()
    with tempfile.TemporaryDirectory(prefix="lup_opt_highs_") as tmp:
        log_file = Path(tmp) / "highs.log"
        start = perf_counter()
        highs = new_highs()
        _configure(highs, options, log_file)
        pass_status = pass_lp(highs, lp)
        handoff = perf_counter() - start
        if pass_status == highspy.HighsStatus.kError:
            return _failed(f"HiGHS rejected the model ({pass_status})", handoff, _read(log_file))

        settled_warm = warm_start is not None and _warm_run(highs, lp, warm_start, options)
        if not settled_warm:
            highs.run()
        status, message = _status(highs)
        rechecked = False
        if status is SolveStatus.INFEASIBLE and settled_warm:
            # HiGHS solves from a valid basis without presolve ("useful basis so presolve not
            # used"): the verdict is already the presolve-off one that the check below gets.
            message += " (from the warm start's basis, without presolve)"
        elif status is SolveStatus.INFEASIBLE and options.presolve:
            # HiGHS presolve has wrongly declared feasible models infeasible in several reported
            # cases (and cannot always tell infeasible from unbounded): check without it.
            highs.setOptionValue("presolve", "off")
            apply_time_limit(highs, options)
            highs.run()
            status, message = _status(highs)
            rechecked = True
            message += " (confirmed with presolve off)" if status is SolveStatus.INFEASIBLE else (
                " (presolve had reported infeasible; solved with presolve off)"
            )
        solver_seconds = highs.getRunTime()

        start = perf_counter()
        values = row_values = duals = col_duals = ranging = basis = None
        objective = None
        if status is SolveStatus.OPTIMAL:
            solution = highs.getSolution()
            values = np.asarray(solution.col_value)
            row_values = np.asarray(solution.row_value)
            duals = np.asarray(solution.row_dual)
            col_duals = np.asarray(solution.col_dual)
            objective = float(highs.getInfo().objective_function_value)
            ranging = _row_ranging(highs)
            basis = _basis(highs) if options.keep_basis else None
        extract = perf_counter() - start
        del highs  # closes the log file
        log = _read(log_file)
    return Solution(
        status=status,
        message=message,
        objective=objective,
        col_values=values,
        row_values=row_values,
        row_duals=duals,
        col_duals=col_duals,
        backend=Backend.HIGHSPY,
        solver=highs_version(),
        handoff_seconds=handoff,
        solver_seconds=solver_seconds,
        extract_seconds=extract,
        log=log,
        presolve_rechecked=rechecked,
        ranging=ranging,
        basis=basis,
    )


def _basis(highs: highspy.Highs) -> tuple[np.ndarray, np.ndarray] | None:
    basis = highs.getBasis()
    if not basis.valid:
        return None
    # each read of a status attribute converts the whole vector to a list (1.4 s at 2.6 million)
    col_status, row_status = basis.col_status, basis.row_status
    return (np.fromiter(map(int, col_status), dtype=np.int8, count=len(col_status)),
            np.fromiter(map(int, row_status), dtype=np.int8, count=len(row_status)))


def set_basis(highs: highspy.Highs, basis: tuple[np.ndarray, np.ndarray]) -> bool:
    """Start ``highs`` from a basis kept by an earlier solve of the same LP; False if refused."""
    statuses = {int(s): s for s in highspy.HighsBasisStatus.__members__.values()}
    start = highspy.HighsBasis()
    start.col_status = [statuses[int(v)] for v in basis[0]]
    start.row_status = [statuses[int(v)] for v in basis[1]]
    start.valid = True
    return highs.setBasis(start) == highspy.HighsStatus.kOk


def _row_ranging(highs: highspy.Highs) -> RowRanging | None:
    """Per row, the row-bound values between which its dual holds and the objective at each end,
    or None without a basis (PDLP, IPM without crossover).

    HiGHS's row-bound ranging answers that question for rows that are nonbasic (at a bound: the
    dual is the price). For a basic row (not at its bound; dual 0) HiGHS ranges the row's
    *activity* over its basis instead, a range that need not contain the bound. For such a row
    the optimum does not move while the bound stays on the slack side of the activity: a '>='
    bound holds its price 0 for any value up to the activity, a '<=' bound for any value down to
    it; past the activity the row binds and the price changes (or may: the next basis change).
    A basic equality or boxed row is degenerate: the price is known at its bound only.
    """
    basis = highs.getBasis()
    if not basis.valid:
        return None
    status, ranging = highs.getRanging()
    if status != highspy.HighsStatus.kOk or not ranging.valid:
        return None

    def clean(values) -> np.ndarray:
        array = np.asarray(values, dtype=float)
        return np.where(np.abs(array) >= highspy.kHighsInf, np.copysign(np.inf, array), array)

    lower_value = clean(ranging.row_bound_dn.value_)
    lower_objective = clean(ranging.row_bound_dn.objective_)
    upper_value = clean(ranging.row_bound_up.value_)
    upper_objective = clean(ranging.row_bound_up.objective_)
    basic = np.array([s == highspy.HighsBasisStatus.kBasic for s in basis.row_status], dtype=bool)
    if basic.any():
        lp = highs.getLp()
        row_lower, row_upper = clean(lp.row_lower_), clean(lp.row_upper_)
        activity = np.asarray(highs.getSolution().row_value, dtype=float)
        objective = float(highs.getInfo().objective_function_value)
        at_least = np.isfinite(row_lower) & ~np.isfinite(row_upper)
        at_most = np.isfinite(row_upper) & ~np.isfinite(row_lower)
        lower_value = np.where(basic, np.where(at_least, -np.inf, activity), lower_value)
        upper_value = np.where(basic, np.where(at_most, np.inf, activity), upper_value)
        lower_objective = np.where(basic, objective, lower_objective)
        upper_objective = np.where(basic, objective, upper_objective)
    return RowRanging(lower_value=lower_value, lower_objective=lower_objective,
                      upper_value=upper_value, upper_objective=upper_objective)


def _status(highs: highspy.Highs) -> tuple[SolveStatus, str]:
    model_status = highs.getModelStatus()
    text = highs.modelStatusToString(model_status)
    status = _STATUS.get(model_status, SolveStatus.ERROR)
    if status is SolveStatus.OPTIMAL and highs.getInfo().primal_solution_status != 2:
        return SolveStatus.ERROR, f"HiGHS reported '{text}' without a feasible primal solution"
    if model_status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        return SolveStatus.INFEASIBLE, "HiGHS: the model is infeasible or unbounded"
    if model_status == highspy.HighsModelStatus.kUnknown:
        return status, (
            "HiGHS: Unknown - the solution it found violates its feasibility or optimality "
            "tolerances; interior point with crossover (--method ipm) is more accurate"
        )
    return status, f"HiGHS: {text}"


def _failed(message: str, handoff: float, log: str) -> Solution:
    return Solution(
        SolveStatus.ERROR, message, None, None, None, None, None, Backend.HIGHSPY,
        highs_version(), handoff, 0.0, 0.0, log,
    )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def solve_with_bounds(
    lp: LinearProgram,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    options: SolverOptions | None = None,
) -> Solution:
    """Solve ``lp`` with other column and row bounds (e.g. a plan's areas fixed, rows freed)."""
    return solve_with_highspy(lp.with_bounds(col_lower, col_upper, row_lower, row_upper), options)
