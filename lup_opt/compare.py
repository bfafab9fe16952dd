"""Two results folders side by side: allocation by jurisdiction and use, indicators, LDN
balance and objective, as tables and one chart (``lup-opt compare``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lup_opt.errors import LupOptError
from lup_opt.results.manifest import MANIFEST, FolderKind, Manifest
from lup_opt.results.result import atomic_folder, read_result

NEEDED = {"transitions": ("jurisdiction", "use", "period", "area_ha"),
          "indicators": ("indicator", "unit", "scope", "scope_type", "period", "value"),
          "ldn_balance": ("land_type", "jurisdiction", "period", "net_ha")}


@dataclass(frozen=True)
class RunTables:
    label: str
    objective: float
    objective_unit: str
    transitions: pd.DataFrame
    indicators: pd.DataFrame
    ldn_balance: pd.DataFrame

    @classmethod
    def read(cls, folder: Path) -> RunTables:
        """The tables of a results folder; a folder that is not one, or is damaged, is a
        LupOptError naming the folder and the file."""
        folder = Path(folder)
        result = read_result(folder)
        if not result.is_optimal:
            raise LupOptError(f"{folder}: the run is {result.status.value}, so it has no plan to compare")
        if result.objective is None:
            raise LupOptError(f"{folder}/{MANIFEST}: 'objective' is missing or not a number (a damaged results "
                              "folder)")
        for name, columns in NEEDED.items():
            missing = [c for c in columns if c not in getattr(result, name).columns]
            if missing:
                raise LupOptError(f"{folder}/{name}.csv: missing column(s) {', '.join(missing)} (a damaged results "
                                  "folder)")
        return cls(result.info.scenario_info.label or folder.name, float(result.objective), result.objective_unit,
                   result.transitions, result.indicators, result.ldn_balance)


@dataclass(frozen=True)
class Comparison:
    """B against A: every difference is B - A."""

    a: str
    b: str
    summary: pd.DataFrame  # quantity, a, b, difference
    allocation: pd.DataFrame  # jurisdiction, use, a_ha, b_ha, difference_ha (last planning year)
    indicators: pd.DataFrame  # indicator, unit, scope, period, a, b, difference, relative
    ldn_balance: pd.DataFrame  # land_type, jurisdiction, period, a_net_ha, b_net_ha, difference_ha

    def _repr_html_(self) -> str:
        """A summary in a notebook: the key quantities of A and B, the largest changes."""
        from lup_opt.notebook_html import comparison_html

        return comparison_html(self)

    def write(self, folder: str | Path, **protocol) -> Path:
        """Write the tables and chart to ``folder`` (the write protocol of ``lup_opt.safe_paths``;
        ``protocol``: protect, run, overwrite, label)."""
        protocol.setdefault("run", {"command": "compare", "a": self.a, "b": self.b})
        with atomic_folder(Path(folder), **protocol) as tmp:
            self.write_into(tmp)
        return Path(folder).resolve()

    def write_into(self, tmp: Path) -> None:
        """The tables, chart and manifest, into a folder being written."""
        for name in ("summary", "allocation", "indicators", "ldn_balance"):
            getattr(self, name).to_csv(tmp / f"compare_{name}.csv", index=False)
        comparison_figure(self, tmp / "compare.png")
        manifest = Manifest(method=FolderKind.COMPARISON.value, a=self.a, b=self.b)
        (tmp / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2), encoding="utf-8")


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], value: str, names: tuple[str, str]
                  ) -> pd.DataFrame:
    merged = a[keys + [value]].merge(b[keys + [value]], on=keys, how="outer", suffixes=("_a", "_b"))
    merged = merged.rename(columns={f"{value}_a": names[0], f"{value}_b": names[1]})
    merged[list(names)] = merged[list(names)].fillna(0.0)
    return merged


def compare_runs(folder_a: str | Path, folder_b: str | Path) -> Comparison:
    a, b = RunTables.read(Path(folder_a)), RunTables.read(Path(folder_b))
    try:
        return _compare(a, b)
    except (KeyError, TypeError, ValueError) as exc:
        raise LupOptError(f"{folder_a} or {folder_b}: the tables cannot be compared ({type(exc).__name__}: "
                          f"{str(exc)[:80]}; a damaged results folder)") from None


def _compare(a: RunTables, b: RunTables) -> Comparison:
    last = min(a.transitions["period"].max(), b.transitions["period"].max())

    def allocation(run: RunTables) -> pd.DataFrame:
        rows = run.transitions[(run.transitions["jurisdiction"] != "all") & (run.transitions["period"] == last)]
        return rows.groupby(["jurisdiction", "use"], as_index=False)["area_ha"].sum()

    land = _side_by_side(allocation(a), allocation(b), ["jurisdiction", "use"], "area_ha", ("a_ha", "b_ha"))
    land["difference_ha"] = land["b_ha"] - land["a_ha"]
    land = land[(land["a_ha"].abs() > 1e-6) | (land["b_ha"].abs() > 1e-6)].reset_index(drop=True)

    def indicators(run: RunTables) -> pd.DataFrame:
        rows = run.indicators[run.indicators["scope_type"].isin(["functional_area", "jurisdiction"])]
        return rows.drop_duplicates(["indicator", "scope", "period"])[["indicator", "unit", "scope", "period", "value"]]

    values = _side_by_side(indicators(a), indicators(b), ["indicator", "unit", "scope", "period"], "value", ("a", "b"))
    values["difference"] = values["b"] - values["a"]
    values["relative"] = values["difference"] / values["a"].abs().where(values["a"].abs() > 1e-12)

    def ldn(run: RunTables) -> pd.DataFrame:
        return run.ldn_balance.groupby(["land_type", "jurisdiction", "period"], as_index=False)["net_ha"].sum()

    balance = _side_by_side(ldn(a), ldn(b), ["land_type", "jurisdiction", "period"], "net_ha",
                            ("a_net_ha", "b_net_ha"))
    balance["difference_ha"] = balance["b_net_ha"] - balance["a_net_ha"]

    reallocated = float(land["difference_ha"].abs().sum() / 2)
    summary = pd.DataFrame([
        {"quantity": f"objective ({a.objective_unit})", "a": a.objective, "b": b.objective},
        {"quantity": f"land whose use differs from A, {last} (ha)", "a": 0.0, "b": reallocated},
        {"quantity": "LDN net balance, all land types, last year (ha)",
         "a": float(balance.loc[balance["period"] == last, "a_net_ha"].sum()),
         "b": float(balance.loc[balance["period"] == last, "b_net_ha"].sum())},
    ])
    summary["difference"] = summary["b"] - summary["a"]
    return Comparison(a.label, b.label, summary, land, values, balance)


def comparison_figure(comparison: Comparison, path: Path) -> Path:
    """Left: change of area per use in each jurisdiction; right: change of each indicator for
    the whole area in the last planning year (%)."""
    land = comparison.allocation.pivot_table(index="use", columns="jurisdiction", values="difference_ha",
                                             aggfunc="sum", fill_value=0.0)
    land = land.loc[land.abs().sum(axis=1) > 1e-6]
    values = comparison.indicators
    whole = values[(values["scope"] == "functional area") & (values["period"] == values["period"].max())]
    whole = whole.dropna(subset=["relative"]).set_index("indicator")["relative"] * 100
    from matplotlib import colormaps
    from matplotlib.figure import Figure  # a Figure draws to files only: no backend to set, no window

    from lup_opt.plotting import save_tight

    fig = Figure(figsize=(13, max(4.0, 0.35 * max(len(land), len(whole)) + 1.5)))
    axes = fig.subplots(1, 2)
    if len(land):
        gained, lost = np.zeros(len(land)), np.zeros(len(land))  # stacked apart on each side of 0
        for k, jurisdiction in enumerate(land.columns):
            change = land[jurisdiction].to_numpy()
            axes[0].barh(land.index, change, left=np.where(change >= 0, gained, lost),
                         color=colormaps["tab10"](k % 10), label=jurisdiction)
            gained += np.clip(change, 0, None)
            lost += np.clip(change, None, 0)
        axes[0].legend(fontsize=7)
    axes[0].axvline(0, color="grey", lw=0.8)
    axes[0].set_xlabel("ha (B - A)")
    axes[0].set_title("Land per use and jurisdiction")
    axes[1].barh(whole.index, whole.to_numpy(), color=np.where(whole.to_numpy() >= 0, "#2e7d32", "#c62828"))
    axes[1].axvline(0, color="grey", lw=0.8)
    axes[1].set_xlabel("% change (B against A)")
    axes[1].set_title("Indicators, whole area")
    fig.suptitle(f"B: {comparison.b}   against   A: {comparison.a}")
    return save_tight(fig, path, dpi=110)
