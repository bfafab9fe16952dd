"""A results folder as the report reads it: its manifest, its tables (read once) and, when a
section needs what the folder does not hold (cover classes of uses, protected land units, the
best soils), the scenario it was run from, loaded with the package's own loader."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from lup_opt.results.io import diagnosis_text, has_table, read_table
from lup_opt.results.manifest import FolderKind, Manifest, ScenarioInfo, read_manifest

log = logging.getLogger(__name__)

TRUE_WORDS = {"true", "yes", "y", "1", "protected"}  # a `protected` column's values that mean protected


@dataclass
class Folder:
    """The results of one plan (a solve, an evaluation, a trade-off plan or a sweep run)."""

    path: Path
    manifest: Manifest
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | Path, manifest: Manifest | Mapping[str, Any] | None = None) -> Folder:
        """The folder at ``path``; ``manifest``: the one being written there (else read from it)."""
        path = Path(path)
        return cls(path, read_manifest(path) if manifest is None else Manifest.of(manifest))

    def has(self, name: str) -> bool:
        return has_table(self.path, name)

    def table(self, name: str) -> pd.DataFrame:
        """The table ``name`` (CSV or Parquet); empty when the folder lacks it or it has no rows."""
        if name not in self._tables:
            try:
                self._tables[name] = read_table(self.path / name)
            except (FileNotFoundError, pd.errors.EmptyDataError):
                self._tables[name] = pd.DataFrame()
        return self._tables[name]

    # What the folder is -------------------------------------------------------------------------

    @property
    def scenario_info(self) -> ScenarioInfo:
        return self.manifest.scenario_info

    @property
    def name(self) -> str:
        return self.scenario_info.name or "lup_opt"

    @property
    def kind(self) -> FolderKind:
        """solve, evaluation or tradeoff_plan (a sweep run is a solve), or a trade-off folder."""
        return self.manifest.folder_kind

    @property
    def objective_unit(self) -> str:
        return self.manifest.objective_unit or "objective units"

    @property
    def diagnosis(self) -> str | None:
        """diagnosis.md of a run without a plan; None when there is none."""
        return diagnosis_text(self.path)

    @cached_property
    def years(self) -> list[int]:
        """The planning years the folder's tables hold."""
        for name in ("allocation", "transitions", "indicators", "ldn_balance"):
            table = self.table(name)
            if len(table) and "period" in table.columns:
                return sorted(int(y) for y in table["period"].unique())
        return []

    @cached_property
    def land_units(self) -> pd.DataFrame:
        """``land_units.csv`` with a ``year`` column: one row per (land unit, year) when the folder
        has it so, or the single assessment year of an older table."""
        table = self.table("land_units")
        if len(table) and "year" not in table.columns:
            table = table.assign(year=self.manifest.assessment_year or (self.years[-1] if self.years else 0))
        return table

    @cached_property
    def units(self) -> pd.DataFrame:
        """One row per land unit: its attributes (from ``land_units.csv``, any year)."""
        table = self.land_units
        if table.empty:
            return table
        return table.drop_duplicates("land_unit").set_index("land_unit")

    # The scenario, for what the folder does not hold ---------------------------------------------

    @cached_property
    def _scenario(self) -> tuple[Any, str]:
        """(Scenario or None, why not / a caveat)."""
        info = self.scenario_info
        folder = info.folder
        if not folder:
            return None, "the manifest does not say which scenario folder the run used"
        if not Path(folder).exists():
            return None, f"the scenario folder {folder} is no longer there"
        from lup_opt.errors import LupOptError
        from lup_opt.scenario.loader import load_scenario

        try:
            scenario = load_scenario(folder, variants=list(info.variants), overrides=list(info.overrides))
        except (LupOptError, OSError, ValueError) as exc:
            log.warning("%s: the scenario cannot be loaded for the report: %s", folder, exc)
            return None, f"the scenario {folder} cannot be loaded ({str(exc).splitlines()[0][:200]})"
        caveat = ""
        if info.hash and info.hash != scenario.content_hash:
            caveat = (f"the scenario in {folder} has changed since this run; its current uses and land units "
                      "are used here")
        return scenario, caveat

    @property
    def scenario(self):
        return self._scenario[0]

    @property
    def scenario_note(self) -> str:
        return self._scenario[1]

    def configured(self, section: str) -> bool | None:
        """Whether the scenario sets ``food`` / ``finance`` / ``livelihoods`` (None: unknown)."""
        if self.scenario is None:
            return None
        return getattr(self.scenario.config, section, None) is not None

    @cached_property
    def money_unit(self) -> str:
        """The unit of funds and finance: funds.csv's ``unit``, the finance cost indicator's in the
        scenario, else the objective's."""
        funds = self.table("funds")
        if "unit" in funds.columns and funds["unit"].notna().any():
            return str(funds["unit"].dropna().iloc[0])
        scenario = self.scenario
        finance = getattr(getattr(scenario, "config", None), "finance", None)
        if finance is not None:
            indicator = scenario.config.indicators.get(finance.cost_indicator)
            if indicator is not None:
                return indicator.unit
        return self.objective_unit

    def product_unit(self, product: str) -> str:
        """The unit of a food product: food.csv's ``unit``, else that of the indicator measuring its
        harvest in the scenario ('' unknown)."""
        table = self.table("food")
        if "unit" in table.columns:
            given = table.loc[table["product"] == product, "unit"].dropna()
            if len(given):
                return str(given.iloc[0])
        food = getattr(getattr(self.scenario, "config", None), "food", None)
        spec = food.products.get(product) if food is not None else None
        indicator = self.scenario.config.indicators.get(spec.indicator) if spec is not None else None
        return indicator.unit if indicator is not None else ""

    @cached_property
    def uses(self) -> pd.DataFrame:
        """The scenario's uses (id, cover_class, sealed), indexed by id; empty without the scenario."""
        if self.scenario is None:
            return pd.DataFrame(columns=["cover_class", "sealed"])
        uses = self.scenario.uses
        return pd.DataFrame({"cover_class": uses["cover_class"].astype(str).to_numpy(),
                             "sealed": uses["sealed"].astype(bool).to_numpy()}, index=uses["id"].astype(str))

    @cached_property
    def protected_units(self) -> pd.Index | None:
        """Ids of the protected land units (``protected`` column of units.csv); None without one."""
        if self.scenario is None or "protected" not in self.scenario.units.columns:
            return None
        units = self.scenario.units
        flag = units["protected"].astype(str).str.strip().str.lower().isin(TRUE_WORDS)
        return pd.Index(units.loc[flag.to_numpy(), "id"].astype(str))

    @cached_property
    def best_soil_units(self) -> pd.Index | None:
        """Ids of the land units of the best soils (``report.best_soils``); None when not designated."""
        scenario = self.scenario
        if scenario is None or scenario.config.report.best_soils is None:
            return None
        from lup_opt.data.targets import scope_mask

        mask = scope_mask(scenario, scenario.config.report.best_soils)
        return pd.Index(scenario.units.loc[mask, "id"].astype(str))
