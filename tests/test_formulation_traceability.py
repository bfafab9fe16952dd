"""models/formulation.md and the code name the same variable and constraint families."""

from __future__ import annotations

import re

import pytest

import lup_opt
from lup_opt.model.build import BUILD_STEPS, formulation_ids
from tests.conftest import REPO, SCENARIOS, SHIPPED

FAMILY = re.compile(r"^###\s+((?:V|C|O)-[A-Z0-9-]+)\b", re.MULTILINE)


def documented_ids() -> set[str]:
    return set(FAMILY.findall((REPO / "models" / "formulation.md").read_text(encoding="utf-8")))


def test_every_family_in_the_code_is_documented_and_every_documented_family_is_built():
    in_code = formulation_ids()
    in_doc = documented_ids()
    assert in_code - in_doc == set(), "families built but not in models/formulation.md"
    assert in_doc - in_code == set(), "families in models/formulation.md that the code does not build"


def test_each_build_step_states_its_ids_in_its_docstring():
    for step in BUILD_STEPS:
        for fid in step.formulation_ids:
            if fid.startswith("C-") or fid.startswith("O-"):
                assert fid in (step.__doc__ or ""), (step.__name__, fid)


@pytest.mark.parametrize("name", SHIPPED)
def test_blocks_of_built_models_carry_documented_ids(name):
    lp = lup_opt.build(lup_opt.load_scenario(SCENARIOS / name)).lp
    assert lp.families() <= documented_ids()
