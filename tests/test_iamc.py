"""The IAMC long table (model, scenario, region, variable, unit, year, value) that pyam reads."""

from __future__ import annotations

import pandas as pd
import pytest

from lup_opt.results.iamc import COLUMNS, iamc_table
from tests.conftest import SCENARIOS


def test_the_iamc_table_of_tiny_holds_its_hand_worked_plan_by_region(tiny_result):
    table = iamc_table(tiny_result)
    assert list(table.columns) == COLUMNS
    assert not table.duplicated(COLUMNS[:-1]).any()
    value = table.set_index(["region", "variable"])["value"]
    # scenarios/tiny/README.md: 40 ha housing in the town for 2,400 people, 390 t cereal, 620 kUSD
    assert value[("tiny|town", "Land Cover|housing")] == pytest.approx(40.0)
    assert value[("tiny|town", "Indicator|housing_persons")] == pytest.approx(2400.0)
    assert value[("tiny", "Indicator|cereal_t")] == pytest.approx(390.0)
    assert value[("tiny", "Objective")] == pytest.approx(620.0)
    # the land cover of the area is the land of its units (260 ha), and of each jurisdiction its own
    units = pd.read_csv(SCENARIOS / "tiny" / "units.csv")
    cover = table[table["variable"].str.startswith("Land Cover|")].groupby("region")["value"].sum()
    assert cover["tiny"] == pytest.approx(units["area_ha"].sum())
    assert cover["tiny|village"] == pytest.approx(units.loc[units["jurisdiction"] == "village", "area_ha"].sum())
    assert set(table.loc[table["variable"] == "Indicator|cost_kusd", "unit"]) == {"kUSD"}


@pytest.mark.slow  # pyam's import alone takes seconds
def test_pyam_reads_the_iamc_table(tiny_result, tmp_path):
    pyam = pytest.importorskip("pyam", reason="needs the iamc extra: pip install 'lup_opt[iamc]'")
    path = tmp_path / "tiny_iamc.csv"
    iamc_table(tiny_result, scenario="tiny|base").to_csv(path, index=False)
    frame = pyam.IamDataFrame(str(path))
    assert frame.model == ["lup_opt"] and frame.scenario == ["tiny|base"]
    assert set(frame.region) == {"tiny", "tiny|town", "tiny|village"}
    housing = frame.filter(variable="Land Cover|housing", region="tiny").as_pandas()["value"]
    assert housing.tolist() == pytest.approx([40.0])
