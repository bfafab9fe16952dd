"""PNG figures of trade-off results (matplotlib figures on the Agg canvas, never a window)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from lup_opt.plotting import save_tight


def _subplots(width: float, height: float, *args, **kwargs):
    figure = Figure(figsize=(width, height))
    return figure, figure.subplots(*args, **kwargs)


def _save(figure, path: Path) -> Path:
    return save_tight(figure, path, dpi=120)


def payoff_figure(table: pd.DataFrame, achievement: np.ndarray, path: Path) -> Path:
    """Achievement (0 worst, 1 ideal) of every objective at each objective's optimum."""
    labels = list(table.columns[1:])
    figure, axis = _subplots(1.6 + 1.4 * len(labels), 1.2 + 0.7 * len(labels))
    image = axis.imshow(achievement, cmap="viridis", vmin=0, vmax=1)
    axis.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axis.set_yticks(range(len(labels)), [f"best {name}" for name in table["optimised"]])
    for (i, j), value in np.ndenumerate(achievement):
        axis.text(j, i, f"{table.iloc[i, j + 1]:,.4g}", ha="center", va="center",
                  color="white" if value < 0.5 else "black", fontsize=8)
    figure.colorbar(image, ax=axis, label="achievement (1 = ideal)")
    axis.set_title("Pay-off table")
    return _save(figure, path)


def frontier_figure(points: pd.DataFrame, labels: list[str], units: list[str], path: Path) -> Path:
    """The frontier of the first two objectives, the knee marked (a third objective as colour)."""
    figure, axis = _subplots(6.5, 4.8)
    x, y = points[labels[0]], points[labels[1]]
    if len(labels) == 3:
        scatter = axis.scatter(x, y, c=points[labels[2]], cmap="viridis", zorder=3)
        figure.colorbar(scatter, ax=axis, label=f"{labels[2]} ({units[2]})")
    else:
        order = np.argsort(x.to_numpy())
        axis.plot(x.to_numpy()[order], y.to_numpy()[order], "-o", color="tab:blue", zorder=2)
    knee = points[points["knee"]]
    axis.scatter(knee[labels[0]], knee[labels[1]], s=180, facecolors="none", edgecolors="tab:red", linewidths=2,
                 zorder=4, label="knee")
    axis.set_xlabel(f"{labels[0]} ({units[0]})")
    axis.set_ylabel(f"{labels[1]} ({units[1]})")
    axis.grid(alpha=0.3)
    axis.legend()
    axis.set_title("Trade-off frontier")
    return _save(figure, path)


def achievement_figure(table: pd.DataFrame, title: str, path: Path) -> Path:
    """Each objective's achievement between its worst (0) and its ideal (1)."""
    figure, axis = _subplots(6.5, 1.2 + 0.5 * len(table))
    axis.barh(table["objective"], table["achievement"], color="tab:green")
    axis.set_xlim(0, 1.05)
    axis.set_xlabel("achievement (0 = worst, 1 = ideal)")
    for i, value in enumerate(table["achievement"]):
        axis.text(min(value, 1.0) + 0.01, i, f"{value:.0%}", va="center", fontsize=8)
    axis.invert_yaxis()
    axis.set_title(title)
    return _save(figure, path)


def composition_figure(composition: pd.DataFrame, title: str, path: Path) -> Path:
    figure, axis = _subplots(6.5, 1.2 + 0.4 * len(composition))
    axis.barh(composition["use"], composition["share"], color="tab:olive")
    axis.set_xlabel("share of the area")
    axis.invert_yaxis()
    axis.set_title(title)
    return _save(figure, path)


def alternatives_figure(allocation: pd.DataFrame, plans: list[str], path: Path) -> Path:
    """Side by side: the land each plan gives each use, one panel per jurisdiction."""
    jurisdictions = list(dict.fromkeys(allocation["jurisdiction"]))
    uses = list(dict.fromkeys(allocation["use"]))
    colours = dict(zip(uses, colormaps["tab20"].colors * 2, strict=False))
    figure, axes = _subplots(2.2 + 2.0 * len(jurisdictions), 4.6, 1, len(jurisdictions), squeeze=False)
    for axis, jurisdiction in zip(axes[0], jurisdictions, strict=True):
        part = allocation[allocation["jurisdiction"] == jurisdiction].set_index("use")
        bottom = np.zeros(len(plans))
        for use in uses:
            if use not in part.index:
                continue
            heights = part.loc[use, plans].to_numpy(dtype=float)
            axis.bar(range(len(plans)), heights, bottom=bottom, color=colours[use], label=use)
            bottom += heights
        axis.set_xticks(range(len(plans)), [p.replace("alternative ", "alt ") for p in plans], rotation=45,
                        ha="right")
        axis.set_title(str(jurisdiction))
    axes[0][0].set_ylabel("ha at the last planning year")
    seen: dict = {}
    for axis in axes[0]:
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            seen.setdefault(name, handle)
    figure.legend(list(seen.values()), list(seen.keys()), loc="center right", fontsize=8)
    figure.subplots_adjust(right=0.82)
    figure.suptitle("Near-optimal alternatives")
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path


def stages_figure(stages: pd.DataFrame, path: Path) -> Path:
    """Hierarchical stages: how far each objective ended from the optimum of its own stage."""
    figure, axis = _subplots(6.5, 1.2 + 0.5 * len(stages))
    labels = [f"{s}. {o}" for s, o in zip(stages["stage"], stages["objective"], strict=True)]
    axis.barh(labels, 100 * stages["worse_by"], color="tab:orange", label="worse than its optimum")
    axis.scatter(100 * stages["tolerance"], labels, marker="|", s=300, color="black", label="tolerance")
    axis.set_xlabel("% worse than the optimum of its stage")
    axis.invert_yaxis()
    axis.legend(fontsize=8)
    axis.set_title("Hierarchical optimisation")
    return _save(figure, path)
