"""Area per path of land and its conservation: every hectare of the baseline follows exactly one
path (V-AREA, C-AREA; LP steps in :mod:`lup_opt.model.land_balance`). Structural: it always holds,
so it is neither relaxed nor priced."""

from __future__ import annotations

from lup_opt.enums import FamilyName
from lup_opt.families.base import Family
from lup_opt.model.land_balance import add_area_conservation, add_area_variables

FAMILY = Family(name=FamilyName.LAND_BALANCE, variables=(add_area_variables,), rows=(add_area_conservation,))
