"""Solution -> Result (pandas tables) -> results folder.

``Result`` is imported when first used: importing a submodule (say ``results.prices``) must not
pull in the whole writer, which reads the families, which read ``results.prices``."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Result"]


def __getattr__(name: str) -> Any:
    if name == "Result":
        return importlib.import_module("lup_opt.results.result").Result
    raise AttributeError(f"module 'lup_opt.results' has no attribute '{name}'")
