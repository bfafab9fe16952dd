"""The workspace: the one folder the app reads and writes. Scenarios are the folders in it that
hold a ``scenario.yaml``; every run is kept under its name in ``runs/``; the app's own scratch
(edited copies being validated, run progress) is in ``.lup_opt_app/``.

Every path that comes from a request goes through :meth:`Workspace.inside`: relative, no ``..``,
no NUL, and once every symlink is followed still inside the workspace; anything else is
refused with :class:`OutsideWorkspace`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lup_opt.errors import LupOptError
from lup_opt.safe_paths import path_problem

SCENARIO_FILE = "scenario.yaml"
RUNS = "runs"
SCRATCH = ".lup_opt_app"
SKIPPED = {RUNS, SCRATCH, "results", "__pycache__", "node_modules"}  # never searched for scenarios
MAX_DEPTH = 3  # scenarios are found this many folders deep at most
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+@=,-]{0,150}$")


class OutsideWorkspace(LupOptError):
    """A path that leads outside the workspace (or cannot be used at all)."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, folder: str | os.PathLike) -> Workspace:
        root = Path(folder).resolve()
        if not root.is_dir():
            raise LupOptError(f"{root}: the workspace must be an existing folder")
        return cls(root)

    @property
    def runs(self) -> Path:
        return self.root / RUNS

    @property
    def scratch(self) -> Path:
        path = self.root / SCRATCH
        path.mkdir(exist_ok=True)
        return path

    def inside(self, relative: str) -> Path:
        """The path ``relative`` names in the workspace, resolved; refused when it is absolute,
        climbs with ``..``, or (following symlinks) leads outside."""
        problem = path_problem(relative)
        if problem:
            raise OutsideWorkspace(f"'{relative[:60]}': {problem}")
        parts = PurePosixPath(relative.replace("\\", "/"))
        if parts.is_absolute() or Path(relative).is_absolute() or re.match(r"^[A-Za-z]:", relative):
            raise OutsideWorkspace(f"'{relative[:60]}': an absolute path; give a path inside the workspace")
        if ".." in parts.parts:
            raise OutsideWorkspace(f"'{relative[:60]}': '..' leads outside the workspace")
        path = (self.root / Path(*parts.parts)).resolve() if parts.parts else self.root
        if path != self.root and self.root not in path.parents:
            raise OutsideWorkspace(f"'{relative[:60]}': a symlink leading outside the workspace")
        return path

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    # Scenarios ----------------------------------------------------------------------------------

    def scenarios(self) -> dict[str, Path]:
        """Every scenario folder of the workspace by name (its path from the workspace root)."""
        found: dict[str, Path] = {}
        for folder, subfolders, files in os.walk(self.root):
            here = Path(folder)
            depth = len(here.relative_to(self.root).parts)
            subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED and not d.startswith(".")
                                   and depth < MAX_DEPTH and not (here / d).is_symlink())
            if SCENARIO_FILE in files and here != self.root:
                found[here.relative_to(self.root).as_posix()] = here
        return dict(sorted(found.items()))

    def scenario(self, name: str) -> Path:
        """The scenario folder ``name``; refused outside the workspace, KeyError when it is none."""
        folder = self.inside(name)
        if not (folder / SCENARIO_FILE).is_file() or folder == self.root:
            raise KeyError(name)
        return folder

    # Runs ---------------------------------------------------------------------------------------

    def run_folder(self, name: str) -> Path:
        if not RUN_NAME.match(name):
            raise OutsideWorkspace(f"'{name[:60]}': not a run name")
        return self.inside(f"{RUNS}/{name}")

    def free_run_name(self, wanted: str, taken: set[str]) -> str:
        """``wanted``, or ``wanted-2``, ``wanted-3``, ...: a name no kept run and no queued run has,
        so that a run never replaces another."""
        base = re.sub(r"[^A-Za-z0-9_.+@=,-]", "_", wanted).lstrip("._-")[:120] or "run"
        name, k = base, 1
        while name in taken or (self.runs / name).exists() or (self.runs / f".{name}.lock").exists():
            k += 1
            name = f"{base}-{k}"
        return name
