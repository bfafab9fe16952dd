"""The highspy path and the Pyomo path solve the same LP to the same optimum.

The quick subset compares them on small scenarios that between them hold every kind of row the
default has (targets, LDN with the strict hierarchy, food flows and imports, finance, livelihoods,
several years). The full suite solves the default through Pyomo too (about 3 s), and checks, for
the default and each of its variants that changes the LP's shape, that what the Pyomo backend
solves (the Pyomo model as Pyomo's standard-form compiler reads it) is that scenario's LP,
coefficient for coefficient (about 0.7 s each): the backend then hands HiGHS the same LP the
highspy path does, and maps the solution back by position, which the default's solve checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lup_opt
from benchmarks.generate import generate
from lup_opt.testing import assert_same_optimum
from tests import test_linkages as linkages
from tests.conftest import SCENARIOS, SHIPPED, plan_variants

# Two-stage variants are compared across backends in test_stochastic.
CASES = [(name, variant) for name in SHIPPED for variant in [None, *plan_variants(name)]]
SMALL_CASES = [(name, variant) for name, variant in CASES if name != "default"]
# The default's variants that change only numbers (population): their LP has the default's
# blocks, sparsity, equalities and infinite bounds, so the Pyomo model is built by the same steps
# with other values (test_the_default_variants_left_to_highspy_change_only_numbers): the Pyomo
# checks of the default cover them, and they are left out of them.
NUMBERS_ONLY = ("high_growth", "low_growth")
DEFAULT_CASES = [(name, variant) for name, variant in CASES if name == "default" and variant not in NUMBERS_ONLY]


def _ids(cases):
    return [f"{n}{'+' + v if v else ''}" for n, v in cases]


def assert_backends_agree(scenario: lup_opt.Scenario, fast: lup_opt.Result | None = None) -> None:
    """Solve ``scenario`` with Pyomo (and with highspy unless ``fast`` is its highspy result):
    the same status and, when optimal, the same objective and objective indicators."""
    fast = fast if fast is not None else lup_opt.solve(scenario, backend="highspy")
    slow = lup_opt.solve(scenario, backend="pyomo")
    assert fast.status is slow.status
    assert slow.manifest["backend"] == "pyomo"
    if fast.is_optimal:
        assert_same_optimum(fast, slow, rel=1e-7)
        # The objective's indicators summed over the years agree too (optimal plans may differ in
        # which land changes, or in which year a cost falls, when both cost the same).
        objective_indicators = {t.indicator for t in scenario.config.objective.terms}

        def totals(result):
            table = result.indicators.query("scope_type == 'functional_area'")
            return table[table["indicator"].isin(objective_indicators)].groupby("indicator")["value"].sum()

        assert totals(fast).to_numpy() == pytest.approx(totals(slow).to_numpy(), rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("name, variant", SMALL_CASES, ids=_ids(SMALL_CASES))
def test_highspy_and_pyomo_agree_on_every_small_shipped_scenario(name, variant):
    assert_backends_agree(lup_opt.load_scenario(SCENARIOS / name, variants=[variant] if variant else []))


def _shape(lp) -> tuple:
    """What decides how the Pyomo model is built: blocks (names, sizes, index), the matrix's
    pattern, which rows are equalities and which bounds are infinite."""
    matrix = lp.matrix.tocsc()
    blocks = tuple((b.name, b.slice.start, b.slice.stop, tuple(b.key)) for b in (*lp.variables, *lp.constraints))
    return (blocks, lp.sense, matrix.indptr.tobytes(), matrix.indices.tobytes(),
            np.isinf(lp.row_lower).tobytes(), np.isinf(lp.row_upper).tobytes(),
            (lp.row_lower == lp.row_upper).tobytes(), np.isinf(lp.col_lower).tobytes(),
            np.isinf(lp.col_upper).tobytes(), np.flatnonzero(lp.cost).tobytes())


@pytest.mark.parametrize("variant", NUMBERS_ONLY)
def test_the_default_variants_left_to_highspy_change_only_numbers(default_scenario, variant):
    base = lup_opt.build(default_scenario).lp
    changed = lup_opt.build(lup_opt.load_scenario(SCENARIOS / "default", variants=[variant])).lp
    assert _shape(changed) == _shape(base)
    assert not (np.array_equal(changed.row_lower, base.row_lower) and np.array_equal(changed.row_upper, base.row_upper)
                and np.array_equal(changed.matrix.data, base.matrix.data))  # it does change numbers


@pytest.mark.slow
def test_highspy_and_pyomo_agree_on_the_default_scenario(default_scenario, default_result):
    # The highspy side is the session's solve of the same scenario with the same (default) options.
    assert_backends_agree(default_scenario, default_result)


def _strict_tiny(tmp_path):
    return lup_opt.load_scenario(SCENARIOS / "tiny", overrides={"ldn.hierarchy": "strict"})


def _food_flows_and_imports(tmp_path):
    food = {"products": {"cereal": {"indicator": "cereal_t", "demand_per_person": 0.1, "import_price": 0.5,
                                    "import_footprint_ha": 0.5}},
            "links": "links.csv", "cost_indicator": "cost_kusd", "footprint_indicator": "telecoupled_ha"}
    folder, people = linkages.food_area(tmp_path, "food", food=food, targets={
        "land_abroad": {"indicator": "telecoupled_ha", "sense": "<=", "value": 20}})
    pd.DataFrame(people).to_csv(folder / "population.csv", index=False)
    pd.DataFrame([{"from_jurisdiction": "farmA", "to_jurisdiction": "city", "product": "cereal", "cost_per_unit": 1},
                  {"from_jurisdiction": "farmB", "to_jurisdiction": "city", "product": "*", "cost_per_unit": 3}]
                 ).to_csv(folder / "links.csv", index=False)
    return lup_opt.load_scenario(folder)


def _finance_with_ldn(tmp_path):
    return lup_opt.load_scenario(linkages.restoration_area(tmp_path, "finance"))


def _livelihoods(tmp_path):
    folder = linkages.village(tmp_path, "village", allow_vegetables=True)
    pd.DataFrame([{"jurisdiction": "village", "year": 2030, "population": 250, "labour_force": 100}]).to_csv(
        folder / "population.csv", index=False)
    return lup_opt.load_scenario(folder)


def _generated_parcels(tmp_path):
    # Housing per year following population, soft food and jobs targets, a water limit, LDN on, 3 years.
    return lup_opt.load_scenario(generate("parcels", 40, tmp_path / "parcels"))


@pytest.mark.parametrize("make", [_strict_tiny, _food_flows_and_imports, _finance_with_ldn, _livelihoods,
                                  _generated_parcels], ids=lambda f: f.__name__.strip("_"))
def test_highspy_and_pyomo_agree_on_small_scenarios_with_the_defaults_kinds_of_rows(make, tmp_path):
    assert_backends_agree(make(tmp_path))


def test_pyomo_model_has_named_indexed_components(tiny_scenario):
    import pyomo.environ as pyo

    model = lup_opt.pyomo_model(tiny_scenario)
    assert isinstance(model, pyo.ConcreteModel)
    assert model.area["U1", "crop", "housing", 2030].lb == 0
    assert ("plain", "all", 2030) in model.ldn_neutrality
    assert ("housing", 2030) in model.target
    assert len(model.area_conservation) == 4
    # A user adds a constraint and solves with Pyomo's HiGHS interface: 5 more ha of
    # restoration on the hill cost 5 x 2 kUSD more than the hand-worked 620.
    model.more_restoration = pyo.Constraint(expr=model.area["U3", "grass", "restoration", 2030] >= 25)
    pyo.SolverFactory("highs").solve(model)
    assert pyo.value(model.objective) == pytest.approx(630.0)


STANDARD_FORM_CASES = [pytest.param("tiny", None, id="tiny"),
                       *[pytest.param(n, v, id=i, marks=pytest.mark.slow) for (n, v), i in
                         zip(DEFAULT_CASES, _ids(DEFAULT_CASES), strict=True)]]


@pytest.mark.parametrize(("name", "variant"), STANDARD_FORM_CASES)
def test_pyomos_standard_form_of_the_pyomo_model_is_the_lp(name, variant):
    """What the Pyomo backend solves is the Pyomo model as Pyomo's own standard-form compiler reads
    it: the same coefficients, bounds, costs and sense as the LP it was made from. A row without
    columns (a conversion limit on land with no change to limit) the compiler leaves out, as it
    holds whatever the plan: it is free, and empty, in the solve too."""
    from lup_opt.api import build
    from lup_opt.solve.pyomo_backend import compiled_lp, to_pyomo

    lp = build(lup_opt.load_scenario(SCENARIOS / name, variants=[variant] if variant else [])).lp
    compiled = compiled_lp(to_pyomo(lp), lp)
    assert compiled.sense is lp.sense and compiled.objective_offset == pytest.approx(lp.objective_offset)
    np.testing.assert_allclose(compiled.cost, lp.cost, rtol=1e-15)
    np.testing.assert_array_equal(compiled.col_lower, lp.col_lower)
    np.testing.assert_array_equal(compiled.col_upper, lp.col_upper)
    empty = lp.rows.getnnz(axis=1) == 0
    np.testing.assert_array_equal(compiled.row_lower[~empty], lp.row_lower[~empty])
    np.testing.assert_array_equal(compiled.row_upper[~empty], lp.row_upper[~empty])
    assert np.all((lp.row_lower[empty] <= 0) & (lp.row_upper[empty] >= 0))  # they hold at any plan
    assert np.all(np.isinf(compiled.row_lower[empty]) & np.isinf(compiled.row_upper[empty]))
    assert compiled.rows[empty].nnz == 0
    difference = (compiled.matrix - lp.matrix).tocoo()
    assert compiled.matrix.nnz == lp.matrix.nnz
    assert difference.nnz == 0 or np.max(np.abs(difference.data)) <= 1e-15 * np.max(np.abs(lp.matrix.data))
