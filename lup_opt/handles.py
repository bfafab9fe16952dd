"""Typed handles of the LP's blocks: a block's name together with the formulation ID it
implements (``models/formulation.md``).

Build steps create blocks through their handle and every stage finds them by it, so no stage
assembles a block name and a block's ID is written once, beside its name. A handle is a ``str``
(its name), so tables and files that name blocks read as before.
"""

from __future__ import annotations

from typing import Self


class BlockHandle(str):
    """The name of one block of variables or rows, and its formulation ID."""

    formulation_id: str

    def __new__(cls, name: str, formulation_id: str) -> Self:
        handle = super().__new__(cls, name)
        handle.formulation_id = formulation_id
        return handle

    def __reduce__(self):  # pickled by name and ID (sweeps send LPs to other processes)
        return (type(self), (str(self), self.formulation_id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, {self.formulation_id!r})"


class Columns(BlockHandle):
    """A block of variables (LP columns)."""


class Rows(BlockHandle):
    """A block of constraints (LP rows)."""


__all__ = ["BlockHandle", "Columns", "Rows"]
