"""Figures of a results folder, each from one result table (matplotlib figures drawn on the Agg
canvas, never a window; the maps are in :mod:`lup_opt.report.maps`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lup_opt.plotting import save_tight

DPI = 110
MAX_LABELS = 25  # bars or matrix labels beyond this are grouped (large scenarios)
MAX_UNITS = 6  # price units shown (one panel each)


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI)


def _save(fig: Figure, path: Path, rect: tuple[float, float, float, float] = (0, 0, 1, 1)) -> Path:
    return save_tight(fig, path, DPI, rect)


def ldn_balance_figure(ldn_balance: pd.DataFrame, path: Path) -> Path | None:
    """Gains, losses and net area per land type in each planning year (LDN: net >= target)."""
    if ldn_balance.empty:
        return None
    table = ldn_balance.groupby(["land_type", "period"], as_index=False)[
        ["gains_counted_ha", "losses_ha", "net_ha", "target_ha"]].sum()
    periods = sorted(table["period"].unique())
    land_types = sorted(table["land_type"].unique())
    fig = _figure(4.2 * len(periods), 3.8)
    axes = fig.subplots(1, len(periods), sharey=True, squeeze=False)
    for ax, period in zip(axes[0], periods, strict=True):
        rows = table[table["period"] == period].set_index("land_type").reindex(land_types)
        y = np.arange(len(land_types))
        ax.barh(y + 0.2, rows["gains_counted_ha"], height=0.4, color="#2e7d32", label="gains (counted)")
        ax.barh(y - 0.2, -rows["losses_ha"], height=0.4, color="#c62828", label="losses")
        ax.scatter(rows["net_ha"], y, color="black", zorder=3, label="net", marker="D", s=18)
        ax.scatter(rows["target_ha"], y, color="#1565c0", zorder=3, label="net target", marker="|", s=200)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, land_types)
        ax.set_title(str(period))
        ax.set_xlabel("ha")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8, frameon=False)
    fig.suptitle("Land degradation neutrality per land type")
    return _save(fig, path, rect=(0, 0.07, 1, 1))


def transition_heatmap(transitions: pd.DataFrame, path: Path) -> Path | None:
    """Baseline use (rows) to planned use (columns) in the last planning year, whole area."""
    if transitions.empty:
        return None
    last = transitions[(transitions["jurisdiction"] == "all") & (transitions["period"] == transitions["period"].max())]
    matrix = last.pivot_table(index="baseline_use", columns="use", values="area_ha", aggfunc="sum", fill_value=0.0)
    uses = sorted(set(matrix.index) | set(matrix.columns))
    matrix = matrix.reindex(index=uses, columns=uses, fill_value=0.0)
    size = max(5.0, 0.45 * len(uses) + 2)
    fig = _figure(size + 1, size)
    ax = fig.subplots()
    shown = np.log10(1.0 + matrix.to_numpy())
    image = ax.imshow(shown, cmap="YlOrBr")
    ax.set_xticks(range(len(uses)), uses, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(uses)), uses, fontsize=8)
    ax.set_xlabel(f"use in {int(last['period'].max())}")
    ax.set_ylabel("baseline use")
    if len(uses) <= MAX_LABELS:
        for (i, j), value in np.ndenumerate(matrix.to_numpy()):
            if value >= 0.5:
                ax.text(j, i, f"{value:,.0f}", ha="center", va="center", fontsize=6,
                        color="white" if shown[i, j] > shown.max() * 0.6 else "black")
    fig.colorbar(image, ax=ax, shrink=0.7, label="log10(1 + ha)")
    ax.set_title("Transition matrix (ha)")
    return _save(fig, path)


def target_figure(indicators: pd.DataFrame, path: Path) -> Path | None:
    """Each target's planned value as a share of its target, in every year (1 = exactly met)."""
    rows = indicators.dropna(subset=["target"])
    rows = rows[rows["target"].abs() > 0]
    if rows.empty:
        return None
    rows = rows.assign(label=rows["target_name"].astype(str) + " (" + rows["scope"].astype(str) + ")",
                       ratio=rows["value"] / rows["target"])
    labels = list(dict.fromkeys(rows["label"]))[:MAX_LABELS]
    rows = rows[rows["label"].isin(labels)]
    periods = sorted(rows["period"].unique())
    fig = _figure(8, 0.32 * len(labels) + 1.6)
    ax = fig.subplots()
    y = np.arange(len(labels))
    width = 0.8 / len(periods)
    for k, period in enumerate(periods):
        part = rows[rows["period"] == period].set_index("label").reindex(labels)
        met = part["met"].isna() | part["met"].eq(True)  # a target missing from a year is not a miss
        colors = np.where(met.to_numpy(dtype=bool), "#2e7d32", "#c62828")
        ax.barh(y + (k - (len(periods) - 1) / 2) * width, part["ratio"], height=width, color=colors,
                alpha=0.45 + 0.55 * (k + 1) / len(periods), label=str(period))
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("planned value / target (green: met, red: missed)")
    ax.legend(fontsize=7, title="year", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Indicators against targets")
    return _save(fig, path)


def jurisdiction_figure(indicators: pd.DataFrame, path: Path) -> Path | None:
    """Change of every indicator per jurisdiction from the baseline to the last year (%)."""
    rows = indicators[(indicators["scope_type"] == "jurisdiction") & (indicators["period"] == indicators["period"].max())]
    rows = rows[rows["baseline_value"].abs() > 1e-9]
    if rows.empty:
        return None
    change = rows.assign(pct=100 * (rows["value"] - rows["baseline_value"]) / rows["baseline_value"].abs())
    matrix = change.pivot_table(index="indicator", columns="scope", values="pct", aggfunc="first")
    fig = _figure(1.6 * len(matrix.columns) + 3, 0.35 * len(matrix) + 1.5)
    ax = fig.subplots()
    limit = max(1.0, float(np.nanpercentile(np.abs(matrix.to_numpy()), 95)))
    image = ax.imshow(matrix.to_numpy(), cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(matrix)), matrix.index, fontsize=8)
    for (i, j), value in np.ndenumerate(matrix.to_numpy()):
        if np.isfinite(value):
            ax.text(j, i, f"{value:+.0f}%", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8, label="% change from baseline")
    ax.set_title(f"Indicators per jurisdiction, {int(indicators['period'].max())} against baseline")
    return _save(fig, path)


def prices_figure(duals: pd.DataFrame, path: Path) -> Path | None:
    """Shadow prices of the binding rows: what one more unit of each target costs, one panel per
    price unit (prices in different units are not comparable); a row repeated per group (a limit
    for each land unit) shows once, at its largest price."""
    binding = duals[duals["binding"].astype(bool) & (duals["shadow_price"].abs() > 1e-12)] if len(duals) else duals
    if binding.empty:
        return None
    binding = binding.assign(size=binding["shadow_price"].abs())
    largest = binding.sort_values("size", ascending=False).groupby(["name", "period"], sort=False)
    top = largest.head(1).assign(count=largest["size"].transform("size").loc[largest.head(1).index])
    units = list(top.groupby("price_unit")["size"].max().sort_values(ascending=False).index[:MAX_UNITS])
    heights = [min(len(top[top["price_unit"] == u]), MAX_LABELS) for u in units]
    fig = _figure(9.5, 1.2 + 0.27 * sum(heights) + 0.5 * len(units))
    axes = fig.subplots(len(units), 1, squeeze=False, gridspec_kw={"height_ratios": [h + 1.5 for h in heights]})[:, 0]
    for ax, unit in zip(axes, units, strict=True):
        rows = top[top["price_unit"] == unit].head(MAX_LABELS)
        labels = [f"{n} {p}" + (f" (largest of {c})" if c > 1 else "")
                  for n, p, c in zip(rows["name"], rows["period"], rows["count"], strict=True)]
        ax.barh(range(len(rows)), rows["shadow_price"], color="#6a1b9a")
        ax.set_yticks(range(len(rows)), labels, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel(f"shadow price ({unit})", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("Price of the binding rows: the objective's change per unit more of each")
    return _save(fig, path)


def food_figure(food: pd.DataFrame, path: Path) -> Path | None:
    """Self-sufficiency (production / demand) of each product per jurisdiction and year."""
    if food.empty:
        return None
    products = sorted(food["product"].unique())
    periods = sorted(food["period"].unique())
    fig = _figure(min(11.8, 1.2 + 4.6 * len(products)), 3.6)
    axes = fig.subplots(1, len(products), squeeze=False, sharey=True)[0]
    for ax, product in zip(axes, products, strict=True):
        rows = food[food["product"] == product]
        jurisdictions = sorted(rows["jurisdiction"].unique())
        x = np.arange(len(jurisdictions))
        width = 0.8 / len(periods)
        for k, period in enumerate(periods):
            part = rows[rows["period"] == period].set_index("jurisdiction").reindex(jurisdictions)
            share = part["production"] / part["demand"].where(part["demand"] > 0)
            ax.bar(x + (k - (len(periods) - 1) / 2) * width, share, width=width, label=str(period),
                   color="#33691e", alpha=0.35 + 0.65 * (k + 1) / len(periods))
        ax.axhline(1.0, color="black", lw=0.8, ls="--")
        ax.set_xticks(x, jurisdictions, rotation=20, ha="right", fontsize=8)
        ax.set_title(str(product))
    axes[0].set_ylabel("production / demand (1 = self-sufficient)")
    axes[-1].legend(fontsize=7, title="year", title_fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                    frameon=False)
    fig.suptitle("Food self-sufficiency per jurisdiction")
    return _save(fig, path)


def finance_figure(finance: pd.DataFrame, funds: pd.DataFrame, path: Path,
                   colours: dict[str, str] | None = None, unit: str = "") -> Path | None:
    """What each funding source pays for (by the use land changes to) and what it leaves unused,
    summed over the planning years."""
    if funds.empty:
        return None
    sources = list(dict.fromkeys(funds["source"]))
    paid = (finance.groupby(["source", "to_use"])["amount"].sum().unstack(fill_value=0.0)
            .reindex(sources, fill_value=0.0) if len(finance) else pd.DataFrame(index=sources))
    unused = funds.groupby("source")["unused"].sum().clip(lower=0).reindex(sources, fill_value=0.0)
    fig = _figure(9.5, 0.45 * len(sources) + 1.8)
    ax = fig.subplots()
    left = np.zeros(len(sources))
    for use in paid.columns:
        ax.barh(sources, paid[use], left=left, color=(colours or {}).get(use, "#90a4ae"), label=use,
                edgecolor="white", linewidth=0.4)
        left += paid[use].to_numpy()
    ax.barh(sources, unused, left=left, color="white", edgecolor="#9e9e9e", hatch="///", label="unused")
    ax.invert_yaxis()
    ax.set_xlabel(f"amount over all planning years ({unit})" if unit else "amount over all planning years")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="paid for: change to",
              title_fontsize=7)
    ax.set_title("Who pays for what")
    return _save(fig, path)
