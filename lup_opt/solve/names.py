"""Readable, solver-safe names for LP rows and columns (used when exporting MPS/LP files).

Names look like ``area(U001,crop,housing,2030)``. HiGHS discards every name of a model if one
contains characters such as ``[``, ``-``, ``/`` or ``:``, so characters other than letters,
digits, ``_`` and ``.`` inside label values become ``_``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lup_opt.model.lp import LinearProgram

_UNSAFE = r"[^A-Za-z0-9_.]+"


def _block_names(name: str, labels: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    if labels.empty:
        return np.zeros(0, dtype=object)
    joined = None
    for column in key:
        text = labels[column].astype(str).str.replace(_UNSAFE, "_", regex=True)
        joined = text if joined is None else joined + "," + text
    names = (name + "(" + joined + ")").to_numpy(dtype=object)
    duplicated = pd.Series(names).duplicated(keep=False).to_numpy()
    if duplicated.any():  # values that differed only in unsafe characters: keep names unique
        names[duplicated] = names[duplicated] + "#" + np.flatnonzero(duplicated).astype(str).astype(object)
    return names


def column_names(lp: LinearProgram) -> list[str]:
    return [n for block in lp.variables for n in _block_names(block.name, block.labels, block.key)]


def row_names(lp: LinearProgram) -> list[str]:
    return [n for block in lp.constraints for n in _block_names(block.name, block.labels, block.key)]
