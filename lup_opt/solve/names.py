"""Readable, solver-safe names for LP rows and columns (used by export and the Pyomo model)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.model.lp import LinearProgram


def _block_names(name: str, labels: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    if not key or labels.empty:
        return np.array([f"{name}[{i}]" for i in range(len(labels))], dtype=object)
    joined = None
    for column in key:
        text = labels[column].astype(str)
        joined = text if joined is None else joined + "," + text
    safe = joined.str.replace(r"[\s:\\]+", "_", regex=True)
    return (name + "[" + safe + "]").to_numpy(dtype=object)


def column_names(lp: LinearProgram) -> list[str]:
    return [n for block in lp.variables for n in _block_names(block.name, block.labels, block.key)]


def row_names(lp: LinearProgram) -> list[str]:
    return [n for block in lp.constraints for n in _block_names(block.name, block.labels, block.key)]
