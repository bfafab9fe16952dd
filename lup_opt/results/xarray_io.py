"""A plan as an ``xarray.Dataset`` and a netCDF file (``lup_opt[xarray]``), as Calliope and PyPSA hand
results to researchers: labelled arrays over land units, uses, years, jurisdictions, land types
and indicators, with units in the attributes and the manifest beside them.

Variables (``NaN`` where a table has no row):

* ``area_ha(land_unit, use, year)``: the plan (``allocation.csv`` summed over baseline uses);
  ``baseline_ha(land_unit, use)``: the baseline land use.
* ``indicator_value(indicator, year)`` and ``baseline_indicator(indicator)``: each indicator over
  the whole area; ``indicator_by_jurisdiction(jurisdiction, indicator, year)``. Targets have
  scopes of many kinds: they stay rows of ``Result.indicators``.
* ``ldn_gains_ha``, ``ldn_losses_ha``, ``ldn_net_ha(land_type, year)``: the LDN balance summed
  over the jurisdictions of each land type's rows.

Coordinates on ``land_unit``: ``jurisdiction_of``, ``zone``, ``land_type_of``, ``unit_area_ha``;
on ``indicator``: ``unit``. Attributes: status, objective, objective_unit, scenario, scenario_hash,
and ``manifest`` (its JSON text: netCDF attributes hold text and numbers only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lup_opt.errors import LupOptError

# netCDF-4 through h5netcdf where its HDF5 backend (h5py) is installed; else netCDF-3 through scipy,
# which every netCDF tool reads too (the xarray extra brings h5netcdf, which needs h5py to write).
NETCDF4, NETCDF3 = "h5netcdf", "scipy"
FUNCTIONAL_AREA = "functional_area"


def require_xarray():
    try:
        import xarray
    except ImportError:
        raise LupOptError("xarray datasets need xarray: pip install 'lup_opt[xarray]'") from None
    return xarray


def _array(table: pd.DataFrame, dims: list[str], value: str, rename: Mapping[str, str] | None = None):
    xarray = require_xarray()
    frame = table.rename(columns=dict(rename or {}))
    if frame.empty:
        return xarray.DataArray(np.empty((0,) * len(dims)), dims=dims, coords={d: [] for d in dims})
    series = frame.groupby(dims, sort=True)[value].sum(min_count=1)
    return xarray.DataArray.from_series(series).astype(float)


def result_dataset(result: Any):
    """The Dataset of a :class:`lup_opt.Result` (see the module docstring); a result without a
    plan gives a Dataset of its attributes only."""
    xarray = require_xarray()
    manifest = dict(result.manifest)
    scenario = manifest.get("scenario") if isinstance(manifest.get("scenario"), Mapping) else {}
    attrs = {"status": result.status.value, "objective": np.nan if result.objective is None else float(result.objective),
             "objective_unit": result.objective_unit or "", "scenario": str((scenario or {}).get("name", "")),
             "scenario_hash": str((scenario or {}).get("hash", "")),
             "manifest": json.dumps(manifest, default=str), "source": "lup_opt"}
    if not result.is_optimal:
        return xarray.Dataset(attrs=attrs)
    allocation = result.allocation
    variables = {
        "area_ha": _array(allocation, ["land_unit", "use", "year"], "area_ha", {"period": "year"}),
        "baseline_ha": _array(allocation[allocation["period"] == allocation["period"].min()],
                              ["land_unit", "use"], "area_ha", {"use": "_planned", "baseline_use": "use"}),
    }
    indicators = result.indicators
    whole = indicators[indicators["scope_type"] == FUNCTIONAL_AREA]
    variables["indicator_value"] = _array(whole, ["indicator", "year"], "value", {"period": "year"})
    variables["baseline_indicator"] = _array(whole[whole["period"] == whole["period"].min()], ["indicator"],
                                             "baseline_value")
    by_jurisdiction = indicators[indicators["scope_type"] == "jurisdiction"]
    variables["indicator_by_jurisdiction"] = _array(by_jurisdiction, ["jurisdiction", "indicator", "year"], "value",
                                                    {"period": "year", "scope": "jurisdiction"})
    balance = result.ldn_balance
    for name in ("gains", "losses", "net"):
        if not balance.empty:
            variables[f"ldn_{name}_ha"] = _array(balance, ["land_type", "year"], f"{name}_ha", {"period": "year"})
    dataset = xarray.Dataset(variables, attrs=attrs)
    dataset = _unit_coordinates(dataset, result)
    for name, (unit, text) in _DESCRIPTIONS.items():
        if name in dataset:
            dataset[name].attrs.update({"units": unit, "long_name": text})
    return dataset


_DESCRIPTIONS = {
    "area_ha": ("ha", "planned area of each use on each land unit"),
    "baseline_ha": ("ha", "baseline area of each use on each land unit"),
    "indicator_value": ("see the unit coordinate", "indicator over the whole functional area"),
    "baseline_indicator": ("see the unit coordinate", "indicator at the baseline"),
    "indicator_by_jurisdiction": ("see the unit coordinate", "indicator per jurisdiction"),
    "ldn_gains_ha": ("ha", "LDN gains counted, per land type"),
    "ldn_losses_ha": ("ha", "LDN losses, per land type"),
    "ldn_net_ha": ("ha", "LDN net (gains - losses), per land type"),
}


def _unit_coordinates(dataset, result: Any):
    """Each land unit's jurisdiction, zone, land type and area; each indicator's unit."""
    units = result.land_units
    if not units.empty and "land_unit" in dataset.dims:
        first = units.drop_duplicates("land_unit").set_index("land_unit").reindex(dataset["land_unit"].values)
        dataset = dataset.assign_coords(
            jurisdiction_of=("land_unit", first["jurisdiction"].astype(str).to_numpy()),
            zone=("land_unit", first["zone"].astype(str).to_numpy()),
            land_type_of=("land_unit", first["land_type"].astype(str).to_numpy()),
            unit_area_ha=("land_unit", first["area_ha"].astype(float).to_numpy()))
    if "indicator" in dataset.dims:
        units_of = result.indicators.drop_duplicates("indicator").set_index("indicator")["unit"]
        dataset = dataset.assign_coords(unit=("indicator", units_of.reindex(dataset["indicator"].values)
                                              .fillna("").astype(str).to_numpy()))
    return dataset


def write_netcdf(dataset, path: str | Path) -> Path:
    """Write ``dataset`` to ``path`` atomically (a temporary beside it, then renamed)."""
    from lup_opt.safe_paths import write_file

    require_xarray()
    engine = netcdf_engine()
    encoding = _encoding(dataset) if engine == NETCDF4 else {}
    return write_file(path, lambda tmp: dataset.to_netcdf(tmp, engine=engine, encoding=encoding))


def netcdf_engine() -> str:
    """The xarray engine that writes netCDF here (see NETCDF4)."""
    try:
        import h5netcdf  # noqa: F401
        import h5py  # noqa: F401
    except ImportError:
        try:
            import scipy  # noqa: F401
        except ImportError:
            raise LupOptError("netCDF files need h5netcdf and h5py: pip install 'lup_opt[xarray]' h5py") from None
        return NETCDF3
    return NETCDF4


def _encoding(dataset) -> dict[str, dict[str, Any]]:
    """Text coordinates as variable-length strings (no fixed width to cut long names)."""
    return {name: {"dtype": str} for name, coord in {**dataset.coords, **dataset.data_vars}.items()
            if coord.dtype == object}


def open_netcdf(path: str | Path):
    """A netCDF file written by :func:`write_netcdf`, loaded in memory (the file is closed)."""
    xarray = require_xarray()
    with xarray.open_dataset(path) as dataset:
        return dataset.load()
