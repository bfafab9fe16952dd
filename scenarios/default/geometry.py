"""Write units.gpkg: the outline of every land unit of the default scenario (needs lup_opt[geo]).

Units K<row><col> sit on the 1 km grid of generate.py (row 0 to the south, so that the north
commune, rows 8 and up, lies north of the city). Each outline is a
square of the unit's own area (area_ha) centred in its grid cell, so maps and areas agree. The
coordinates are UTM zone 36S (EPSG:32736) around an arbitrary origin: Kaseda is fictional.

    python scenarios/default/geometry.py
"""

from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
from shapely import box

HERE = Path(__file__).resolve().parent
ORIGIN = (500_000.0, 9_284_000.0)  # easting, northing of the grid's south-west corner (m)
CELL = 1_000.0  # m


def main() -> None:
    units = pd.read_csv(HERE / "units.csv")
    row = units["id"].str[1:3].astype(int).to_numpy()
    col = units["id"].str[3:5].astype(int).to_numpy()
    x = ORIGIN[0] + (col + 0.5) * CELL
    y = ORIGIN[1] + (row + 0.5) * CELL
    half = np.sqrt(units["area_ha"].to_numpy() * 10_000.0) / 2
    outlines = [box(a - h, b - h, a + h, b + h) for a, b, h in zip(x, y, half, strict=True)]
    frame = geopandas.GeoDataFrame({"id": units["id"]}, geometry=outlines, crs="EPSG:32736")
    frame.to_file(HERE / "units.gpkg", layer="units", driver="GPKG")
    print(f"wrote {len(frame)} outlines to {HERE / 'units.gpkg'}")


if __name__ == "__main__":
    main()
