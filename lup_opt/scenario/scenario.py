"""The validated scenario handed from loading to model-data preparation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lup_opt.scenario.config import ScenarioConfig
from lup_opt.scenario.grid import Grid
from lup_opt.scenario.schemas import FIXED_MATCH_KEYS


@dataclass(frozen=True)
class Scenario:
    """A scenario whose files passed every check. Its tables are read-only by convention.

    Tables keep the column ``source_line`` (the row's line in its file) so that later stages can
    still point a user at the row behind a problem.
    """

    folder: Path
    config: ScenarioConfig
    units: pd.DataFrame
    baseline: pd.DataFrame
    uses: pd.DataFrame
    coefficients: pd.DataFrame
    transitions: pd.DataFrame
    exclusions: pd.DataFrame
    productivity: pd.DataFrame
    population: pd.DataFrame
    food_links: pd.DataFrame
    finance_amounts: pd.DataFrame
    land_cover_matrix: np.ndarray
    cropland_factors: dict[str, float]
    attributes: tuple[str, ...]
    variants: tuple[str, ...]
    overrides: tuple[str, ...]
    content_hash: str
    load_seconds: float
    business_as_usual_plan: pd.DataFrame = field(default_factory=pd.DataFrame)  # empty: the baseline kept
    grid: Grid | None = None  # the raster grid of a scenario made by lup-opt grid (grid.json)
    baseline_source: dict | None = None  # where the baseline came from (baseline_source.json), if recorded

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def planning_years(self) -> tuple[int, ...]:
        return tuple(self.config.periods.planning_years)

    @property
    def match_keys(self) -> tuple[str, ...]:
        """Unit properties that scopes and matching tables may name."""
        return (*FIXED_MATCH_KEYS, *self.attributes)

    @property
    def target_year(self) -> int:
        """The LDN assessment year: ``ldn.target_year``, else the last planning year."""
        return self.config.ldn.target_year or self.planning_years[-1]

    def table_label(self, table: str) -> str:
        """The file name behind one of the configured tables, for messages."""
        if table == "scenario":
            return "scenario.yaml"
        path = getattr(self.config.tables, table, None)
        return str(path or f"{table}.csv")

    def unit_values(self, key: str) -> pd.Series:
        """The column of units.csv behind a match key (``land_unit`` is the unit id)."""
        return self.units["id" if key == "land_unit" else key]

    def _repr_html_(self) -> str:
        """A summary in a notebook (size, years, targets, objective), not the tables."""
        from lup_opt.notebook_html import scenario_html

        return scenario_html(self)
