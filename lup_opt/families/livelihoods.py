"""Jobs on the land and people without local work: the migration pressure (V-NO-WORK,
C-WORK; LP steps in :mod:`lup_opt.model.livelihoods`)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from lup_opt.data.linkages import NO_WORK, livelihood_data
from lup_opt.data.model_data import ModelData, Resolution, ResolveContext
from lup_opt.enums import FamilyName
from lup_opt.families.base import MORE_IS_BETTER, Family
from lup_opt.model.land_balance import AREA
from lup_opt.model.livelihoods import add_without_work, add_work
from lup_opt.model.targets import indicator_row
from lup_opt.results.indicators import Values
from lup_opt.scenario.config import ScenarioConfig


def reads(config: ScenarioConfig) -> Iterator[tuple[str, int]]:
    if config.livelihoods is not None:  # jobs cover the labour force (>=)
        yield config.livelihoods.jobs_indicator, MORE_IS_BETTER


def livelihood_table(data: ModelData, values: Values) -> pd.DataFrame:
    """Per jurisdiction and year: labour force, jobs on its land, people without local work
    (the migration pressure) and its share of the labour force."""
    work, dims = data.livelihoods, data.dims
    if work is None:
        return pd.DataFrame()
    n_t = len(dims.periods)
    records = []
    for i, j in enumerate(work.jurisdictions):
        mask = data.units.jurisdiction == j
        for t in range(n_t):
            cols, vals = indicator_row(data, work.jobs_indicator, mask, t)
            without = float(values[NO_WORK][i * n_t + t])
            labour = float(work.labour[i, t])
            records.append({"jurisdiction": dims.jurisdictions[j], "period": dims.periods[t],
                            "labour_force": labour, "jobs": float(vals @ values[AREA][cols]),
                            "without_work": without, "migration_pressure_share": without / labour if labour else 0.0})
    return pd.DataFrame.from_records(records)


def resolve(context: ResolveContext) -> Resolution:
    work, terms = livelihood_data(context.scenario, context.dims)
    if work is None:
        return Resolution()
    return Resolution(work, tuple(terms), {NO_WORK: len(work.jurisdictions) * len(context.dims.periods)})


FAMILY = Family(
    name=FamilyName.LIVELIHOODS, resolve=resolve,
    variables=(add_without_work,),
    rows=(add_work,),
    reads=reads,
    tables={"livelihoods": livelihood_table},
)
