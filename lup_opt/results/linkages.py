"""Result tables of the urban-rural linkages (food, finance and livelihoods, per year): each
family names its own (``Family.tables`` in :mod:`lup_opt.families`)."""

from __future__ import annotations

from lup_opt.families.registry import result_tables

LINKAGE_TABLES = result_tables()
