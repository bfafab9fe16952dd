"""Screenshots of the report for people to look at (not a timing): the default scenario's report
and a grid scenario's report, rendered in headless Chromium and saved as PNG.

    python benchmarks/screenshots.py                    # solves both, writes test-artifacts/*.png
    python benchmarks/screenshots.py --default RESULTS  # reuse a solved default results folder

Writes ``default_report.png`` and ``grid_report.png`` (full page, 1400 px wide) into ``--out``
(default ``test-artifacts/``). The grid scenario is the tiny scenario on a synthetic 30 x 40 grid
of 200 m cells (a town on the west, a village with hills on the east), made with ``lup-opt grid``'s
library function. Needs the geo extra and Chromium (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import lup_opt

log = logging.getLogger("screenshots")
SHAPE = (30, 40)  # rows, columns of 200 m cells
WIDTH = 1400
GRID_TARGETS = {"targets.housing.value": 4800, "targets.cereal.value": 2000}  # 20 cells of housing


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    raise SystemExit("no Chromium on this machine (Debian: apt-get install chromium)")


def _height(report: Path) -> int:
    """The page's height in px at WIDTH (Chromium lays it out; the DOM reports it)."""
    script = ("<script>window.onload=()=>{document.title=String(document.documentElement.scrollHeight)}</script>")
    probe = report.with_name(".probe-" + report.name)
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    try:
        dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                              f"--window-size={WIDTH},1000", "--virtual-time-budget=5000", "--dump-dom",
                              probe.as_uri()], capture_output=True, text=True, timeout=180, check=True).stdout
    finally:
        probe.unlink(missing_ok=True)
    start = dom.find("<title>") + len("<title>")
    return int(dom[start:dom.find("</title>")]) + 20


def screenshot(report: Path, png: Path) -> Path:
    height = _height(report)
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={WIDTH},{height}", f"--screenshot={png}", report.as_uri()],
                   capture_output=True, text=True, timeout=180, check=True)
    from PIL import Image

    Image.open(png).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(png, optimize=True)
    log.info("%s: %d x %d px", png, WIDTH, height)
    return png


def _write(path: Path, data: np.ndarray) -> Path:
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(path, "w", driver="GTiff", height=SHAPE[0], width=SHAPE[1], count=1, dtype="uint8",
                       crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200), nodata=255) as dst:
        dst.write(data.astype("uint8"), 1)
    return path


def grid_scenario(folder: Path) -> Path:
    """The tiny scenario on a synthetic grid: crops on the plain, grass on the hills to the east
    and in patches, a town (peri-urban) in the west, a corner without data."""
    from lup_opt.raster import scenario_from_rasters

    folder.mkdir(parents=True, exist_ok=True)
    rows, cols = np.indices(SHAPE)
    rng = np.random.default_rng(7)
    hill = cols >= 27 + (rows // 6)
    town = (rows - 12) ** 2 + (cols - 9) ** 2 <= 36
    cover = np.where(hill | (rng.random(SHAPE) < 0.18), 2, 1)
    cover[:3, -4:] = 255  # no data: outside the functional area
    legend = pd.DataFrame([("land_cover", 1, "crop"), ("land_cover", 2, "grass"), ("jurisdiction", 1, "town"),
                           ("jurisdiction", 2, "village"), ("land_type", 1, "plain"), ("land_type", 2, "hill"),
                           ("zone", 2, "peri_urban"), ("zone", 3, "rural")], columns=["layer", "code", "value"])
    legend.to_csv(folder / "legend.csv", index=False)
    rasters = {"land_cover": _write(folder / "cover.tif", cover),
               "jurisdiction": _write(folder / "town.tif", np.where(town, 1, 2)),
               "land_type": _write(folder / "type.tif", np.where(hill, 2, 1)),
               "zone": _write(folder / "zone.tif", np.where(town, 2, 3))}
    return scenario_from_rasters(REPO / "scenarios" / "tiny", rasters, folder / "legend.csv", folder / "grid",
                                 "tropical_dry")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default", type=Path, help="a solved default results folder (else solved here)")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as work:
        work = Path(work)
        default = args.default
        if default is None:
            default = lup_opt.solve(lup_opt.load_scenario(REPO / "scenarios" / "default")).write(work / "default")
        else:
            from lup_opt.report import build_report

            build_report(default)
        screenshot(default / "report.html", args.out / "default_report.png")
        scenario = lup_opt.load_scenario(grid_scenario(work / "rasters"), overrides=GRID_TARGETS)
        result = lup_opt.solve(scenario)
        if not result.is_optimal:
            raise SystemExit(f"the grid scenario has no plan: {result.message}")
        screenshot(result.write(work / "grid-results") / "report.html", args.out / "grid_report.png")


if __name__ == "__main__":
    main()
