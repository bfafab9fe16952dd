"""models/formulation.md and the code name the same variable and constraint families."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

import lup_opt
from lup_opt.families.registry import REGISTRY
from lup_opt.model.build import BUILD_STEPS, formulation_ids
from tests.conftest import REPO, SCENARIOS, SHIPPED

FAMILY = re.compile(r"^###\s+((?:V|C|O)-[A-Z0-9-]+)\b", re.MULTILINE)
ANY_ID = re.compile(r"^###\s+([A-Z]-[A-Z0-9-]+)\b", re.MULTILINE)
DECLARED = re.compile(r"^FORMULATION_IDS = \(([^)]*)\)", re.MULTILINE)


def documented_ids() -> set[str]:
    return set(FAMILY.findall((REPO / "models" / "formulation.md").read_text(encoding="utf-8")))


def test_every_build_id_belongs_to_exactly_one_family_and_one_step():
    owners: dict[str, list[str]] = {}
    for family in REGISTRY:
        for fid in family.formulation_ids:
            owners.setdefault(fid, []).append(family.name)
    assert {fid: names for fid, names in owners.items() if len(names) > 1} == {}
    assert set(owners) == documented_ids()
    steps = [fid for step in BUILD_STEPS for fid in step.formulation_ids]
    assert sorted(steps) == sorted(set(steps)), "an ID is implemented by two build steps"


def test_every_other_id_is_declared_once_by_exactly_one_module():
    """E- (expressions), D- (diagnosis), T- (trade-off) and S- (stochastic) IDs: each in one module's
    FORMULATION_IDS."""
    documented = set(ANY_ID.findall((REPO / "models" / "formulation.md").read_text(encoding="utf-8")))
    others = {fid for fid in documented if fid[0] in "EDTS"}
    assert others, "models/formulation.md has no E-, D- or T- sections"
    declared: dict[str, list[str]] = {}
    for path in sorted((REPO / "lup_opt").rglob("*.py")):
        for group in DECLARED.findall(path.read_text(encoding="utf-8")):
            ids = re.findall(r'"([A-Z]-[A-Z0-9-]+)"', group)
            assert len(ids) == len(set(ids)), (path, "an ID written twice")
            for fid in ids:
                declared.setdefault(fid, []).append(str(path.relative_to(REPO)))
    assert {fid: where for fid, where in declared.items() if len(where) > 1} == {}
    assert set(declared) == others


def test_every_family_in_the_code_is_documented_and_every_documented_family_is_built():
    in_code = formulation_ids()
    in_doc = documented_ids()
    assert in_code - in_doc == set(), "families built but not in models/formulation.md"
    assert in_doc - in_code == set(), "families in models/formulation.md that the code does not build"


def test_each_build_step_states_its_ids_in_its_docstring():
    for step in BUILD_STEPS:
        for fid in step.formulation_ids:
            if fid.startswith(("C-", "O-")):
                assert fid in (step.__doc__ or ""), (step.__name__, fid)


@pytest.mark.parametrize("name", SHIPPED)
def test_blocks_of_built_models_carry_documented_ids(name):
    lp = lup_opt.build(lup_opt.load_scenario(SCENARIOS / name)).lp
    assert lp.families() <= documented_ids()


@pytest.mark.parametrize("name", SHIPPED)
def test_each_build_step_creates_exactly_the_blocks_of_its_ids(name):
    """A step's @implements IDs are the IDs its blocks' handles carry: the ID is written once, in
    the handle, and the decorator cannot drift from it."""
    from lup_opt.families.registry import build_model_data
    from lup_opt.model.lp import LPBuilder

    # with a loss cap too, so that the strict hierarchy's step creates its row
    data = replace(build_model_data(lup_opt.load_scenario(SCENARIOS / name)), ldn_loss_cap=1e12)
    lp = LPBuilder(data.scenario_name, data.objective.sense)
    for step in BUILD_STEPS:
        before = len(lp._variables) + len(lp._constraints)
        step(lp, data)
        created = [b.family for b in (*lp._variables, *lp._constraints)][before:]
        if step.formulation_ids == ("O-OBJ",):
            assert created == [], "the objective adds costs, not blocks"
        else:
            assert sorted(created) == sorted(step.formulation_ids), step.__name__


def test_blocks_are_created_only_through_typed_handles():
    import numpy as np
    import pandas as pd

    from lup_opt.enums import ObjectiveSense
    from lup_opt.handles import Columns, Rows
    from lup_opt.model.lp import LPBuilder

    lp = LPBuilder("x", ObjectiveSense.MINIMIZE)
    with pytest.raises(TypeError, match="Columns handle"):
        lp.add_variables("area", np.zeros(1), np.ones(1), pd.DataFrame({"i": [0]}))
    block = lp.add_variables(Columns("x", "V-X"), np.zeros(1), np.ones(1), pd.DataFrame({"i": [0]}))
    assert block.family == "V-X"
    with pytest.raises(TypeError, match="Rows handle"):
        lp.add_constraints("row", {}, np.zeros(0), np.zeros(0), pd.DataFrame({"i": []}))
    handle = Rows("r", "C-R")
    import pickle

    assert pickle.loads(pickle.dumps(handle)).formulation_id == "C-R" and handle == "r"
