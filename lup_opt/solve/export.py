"""Writing the LP as MPS or LP files, with readable row and column names."""

from __future__ import annotations

from pathlib import Path

import highspy

from lup_opt.errors import LupOptError
from lup_opt.model.lp import LinearProgram
from lup_opt.safe_paths import write_file
from lup_opt.solve.highs import new_highs, to_highs_lp

FORMATS = (".mps", ".lp")


def write_model(lp: LinearProgram, path: str | Path) -> Path:
    """Write ``lp`` to ``path``; the format follows the suffix (.mps or .lp)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise LupOptError(f"{path}: unknown model format '{path.suffix}'; use .mps or .lp")
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    if highs.passModel(to_highs_lp(lp, with_names=True)) == highspy.HighsStatus.kError:
        raise LupOptError("HiGHS rejected the model")

    def write(tmp: Path) -> None:  # a temporary beside ``path`` with its suffix: HiGHS picks the format from it
        status = highs.writeModel(str(tmp))
        if status == highspy.HighsStatus.kError or not tmp.exists() or tmp.stat().st_size == 0:
            raise LupOptError(f"HiGHS could not write {path}")

    write_file(path, write, label=str(path))
    return path
