"""Figures of a results folder, each from one result table (matplotlib, no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DPI = 110
MAX_LABELS = 25  # bars or matrix labels beyond this are grouped (large scenarios)


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def ldn_balance_figure(ldn_balance: pd.DataFrame, path: Path) -> Path | None:
    """Gains, losses and net area per land type in each planning year (LDN: net >= target)."""
    if ldn_balance.empty:
        return None
    table = ldn_balance.groupby(["land_type", "period"], as_index=False)[
        ["gains_counted_ha", "losses_ha", "net_ha", "target_ha"]].sum()
    periods = sorted(table["period"].unique())
    land_types = sorted(table["land_type"].unique())
    fig, axes = plt.subplots(1, len(periods), figsize=(4.2 * len(periods), 3.8), sharey=True, squeeze=False)
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
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.suptitle("Land degradation neutrality per land type")
    return _save(fig, path)


def transition_heatmap(transitions: pd.DataFrame, path: Path) -> Path | None:
    """Baseline use (rows) to planned use (columns) in the last planning year, whole area."""
    if transitions.empty:
        return None
    last = transitions[(transitions["jurisdiction"] == "all") & (transitions["period"] == transitions["period"].max())]
    matrix = last.pivot_table(index="baseline_use", columns="use", values="area_ha", aggfunc="sum", fill_value=0.0)
    uses = sorted(set(matrix.index) | set(matrix.columns))
    matrix = matrix.reindex(index=uses, columns=uses, fill_value=0.0)
    size = max(5.0, 0.45 * len(uses) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
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
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(labels) + 1.6))
    y = np.arange(len(labels))
    width = 0.8 / len(periods)
    for k, period in enumerate(periods):
        part = rows[rows["period"] == period].set_index("label").reindex(labels)
        colors = np.where(part["met"].fillna(True).astype(bool), "#2e7d32", "#c62828")
        ax.barh(y + (k - (len(periods) - 1) / 2) * width, part["ratio"], height=width, color=colors,
                alpha=0.45 + 0.55 * (k + 1) / len(periods), label=str(period))
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("planned value / target (green: met, red: missed)")
    ax.legend(fontsize=7, title="year")
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
    fig, ax = plt.subplots(figsize=(1.6 * len(matrix.columns) + 3, 0.35 * len(matrix) + 1.5))
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
    """Shadow prices of the binding targets: what one more unit of each target costs."""
    binding = duals[duals["binding"].astype(bool) & (duals["shadow_price"].abs() > 1e-12)] if len(duals) else duals
    if binding.empty:
        return None
    top = binding.reindex(binding["shadow_price"].abs().sort_values(ascending=False).index).head(MAX_LABELS)
    labels = (top["name"].astype(str) + " " + top["period"].astype(str)).tolist()
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(top) + 1.5))
    ax.barh(range(len(top)), top["shadow_price"], color="#6a1b9a")
    ax.set_yticks(range(len(top)), [f"{label} [{unit}]" for label, unit in zip(labels, top["price_unit"], strict=True)],
                  fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("shadow price (objective units per unit of target)")
    ax.set_title("Price of the binding targets")
    return _save(fig, path)


def _use_colours(uses: list[str], given: dict[str, str] | None) -> dict[str, object]:
    """Each use's colour by meaning (``lup_opt.styles``: the manifest's ``use_colours``), else a
    distinct one from tab20 (a results folder written before colours were recorded)."""
    palette = plt.get_cmap("tab20")
    return {use: (given or {}).get(use) or palette(k % 20) for k, use in enumerate(sorted(uses))}


def use_map(land_units, path: Path, colours: dict[str, str] | None = None) -> Path | None:
    """Map of the use on most of each land unit (a GeoDataFrame of ``land_units``), coloured by
    what each use is (forest green, crops yellow, water blue, built grey)."""
    if land_units is None or land_units.empty:
        return None
    from matplotlib.patches import Patch

    colours = _use_colours(sorted(set(land_units["baseline_use"]) | set(land_units["planned_use"])), colours)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    for ax, column, title in ((axes[0], "baseline_use", "Baseline"), (axes[1], "planned_use", "Planned")):
        land_units.plot(ax=ax, color=[colours[u] for u in land_units[column]], edgecolor="white", linewidth=0.2)
        ax.set_title(f"{title} use" + (f" ({int(land_units['year'].iloc[0])})" if column == "planned_use" else ""))
        ax.set_axis_off()
    shown = sorted(set(land_units["planned_use"]) | set(land_units["baseline_use"]))
    fig.legend(handles=[Patch(color=colours[u], label=u) for u in shown], loc="lower center", ncol=5, fontsize=7)
    fig.subplots_adjust(bottom=0.18)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def change_map(land_units, path: Path) -> Path | None:
    """Map of change: the share of each unit that changes use, and its LDN status."""
    if land_units is None or land_units.empty:
        return None
    from matplotlib.patches import Patch

    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    share = land_units["changed_ha"] / land_units["area_ha"].where(land_units["area_ha"] > 0, 1.0)
    land_units.assign(changed_share=share).plot(ax=axes[0], column="changed_share", cmap="Oranges", vmin=0, vmax=1,
                                                legend=True, legend_kwds={"label": "share of the unit that changes",
                                                                          "shrink": 0.7},
                                                edgecolor="white", linewidth=0.2)
    axes[0].set_title("Change of use")
    status_colours = {"gain": "#2e7d32", "neutral": "#bdbdbd", "loss": "#c62828"}
    land_units.plot(ax=axes[1], color=[status_colours[s] for s in land_units["ldn_status"]], edgecolor="white",
                    linewidth=0.2)
    axes[1].legend(handles=[Patch(color=c, label=s) for s, c in status_colours.items()], fontsize=8, loc="lower left")
    axes[1].set_title("LDN status of each unit (gain or loss area larger)")
    for ax in axes:
        ax.set_axis_off()
    return _save(fig, path)
