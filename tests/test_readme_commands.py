"""Every command README.md shows runs as shown: in a copy of the repository's scenarios, in the
README's order, with the exit code the README promises (0 unless its comment says `exit N`), no
traceback, and the outputs it names present. The Python example runs too.

The commands run in two lanes at once, each in the README's order: the sections up to "Planning
under uncertainty" (where later commands read what earlier ones wrote), and from there on (each
command reads only the shipped scenarios and writes a results folder of its own)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO

README = REPO / "README.md"
LUP_OPT = Path(sys.executable).with_name("lup-opt")
EXIT = re.compile(r"\bexit (\d)\b")


def readme_block_matches(language: str) -> list[re.Match]:
    return list(re.finditer(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL))


def readme_blocks(language: str) -> list[str]:
    return [found.group(1) for found in readme_block_matches(language)]


SECOND_LANE_FROM = "## Planning under uncertainty"


def documented_commands() -> list[tuple[str, int, int]]:
    """(command, expected exit code, lane) for every `lup-opt` line of the README's bash blocks;
    lane 1 from the heading ``SECOND_LANE_FROM`` on, else 0."""
    text = README.read_text(encoding="utf-8")
    assert SECOND_LANE_FROM in text, f"README.md lost its heading {SECOND_LANE_FROM!r}: say where the lanes part"
    second = text.index(SECOND_LANE_FROM)
    out = []
    for found_block in readme_block_matches("bash"):
        lane = int(found_block.start() > second)
        joined = re.sub(r"\\\n\s*", " ", found_block.group(1))
        for line in joined.splitlines():
            if not line.startswith("lup-opt "):
                continue
            command, _, comment = line.partition(" #")
            found = EXIT.search(comment)
            out.append((command.strip(), int(found.group(1)) if found else 0, lane))
    return out


DOCUMENTED = documented_commands()
COMMANDS = [(command, code) for command, code, _ in DOCUMENTED]


def write_rasters(folder: Path) -> None:
    """The GeoTIFFs the README's `grid` example names, for the tiny scenario's uses and places."""
    rasterio = pytest.importorskip("rasterio", reason="the README's grid example needs the geo extra: "
                                                      "pip install 'lup_opt[geo]'")
    from rasterio.transform import from_origin

    shape = (6, 5)
    rows = np.arange(shape[0])[:, None] * np.ones(shape[1], dtype=int)[None, :]
    layers = {"lc.tif": np.where(rows >= 4, 2, 1), "j.tif": np.where(rows <= 1, 1, 2),
              "lt.tif": np.where(rows >= 4, 2, 1), "z.tif": np.where(rows <= 1, 2, 3)}
    for name, data in layers.items():
        with rasterio.open(folder / name, "w", driver="GTiff", height=shape[0], width=shape[1], count=1,
                           dtype="uint8", crs="EPSG:32736", transform=from_origin(500_000, 9_300_000, 200, 200)) as dst:
            dst.write(data.astype("uint8"), 1)
    pd.DataFrame([("land_cover", 1, "crop"), ("land_cover", 2, "grass"), ("jurisdiction", 1, "town"),
                  ("jurisdiction", 2, "village"), ("land_type", 1, "plain"), ("land_type", 2, "hill"),
                  ("zone", 2, "peri_urban"), ("zone", 3, "rural")],
                 columns=["layer", "code", "value"]).to_csv(folder / "legend.csv", index=False)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "scenarios", folder / "scenarios")
    write_rasters(folder)
    return folder


@pytest.fixture(scope="module")
def runs(workdir) -> dict[str, subprocess.CompletedProcess]:
    """Every documented command, run once, in the README's order within its lane (later ones
    read what earlier ones of their lane wrote); the two lanes run at once."""
    if not LUP_OPT.exists():
        pytest.skip(f"the lup-opt command is not installed beside {sys.executable}")

    def lane(commands: list[str]) -> dict[str, subprocess.CompletedProcess]:
        return {command: subprocess.run([str(LUP_OPT), *shlex.split(command)[1:]], cwd=workdir,
                                        capture_output=True, text=True, timeout=900)
                for command in commands}

    lanes = [[command for command, _, n in DOCUMENTED if n == k] for k in (0, 1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lane, lanes))
    return {**done[0], **done[1]}


def test_the_readme_documents_commands():
    assert len(COMMANDS) >= 25
    assert all(not re.search(r"\.\.\.|<[a-z]", c) for c, _ in COMMANDS), "placeholders cannot run as shown"


@pytest.mark.slow
@pytest.mark.parametrize(("command", "code"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_each_readme_command_runs_as_documented(runs, command, code):
    run = runs[command]
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]
    assert run.returncode == code, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])


@pytest.mark.slow
def test_the_outputs_the_readme_names_are_there(runs, workdir):
    results = workdir / "results"
    for name in ("default", "strict", "default+high_growth"):
        assert (results / name / "manifest.json").exists(), name
    assert (results / "default" / "report.html").exists() and (results / "default" / "results.xlsx").exists()
    assert (workdir / "model.mps").exists() and (workdir / "model.lp").exists()
    assert (workdir / "my_grid" / "scenario.yaml").exists()
    assert (workdir / "my_area" / "scenario.yaml").exists() and (workdir / "my_book" / "scenario.xlsx").exists()
    assert (results / "tiny-sweep" / "sweep.slurm").exists()
    measures = pd.read_csv(results / "farm" / "stochastic.csv").set_index("measure")["value"]
    assert measures["RP"] == pytest.approx(28.0) and measures["EVPI"] == pytest.approx(2.0)
    assert (results / "default+uncertain_growth" / "scenarios" / "high" / "allocation.csv").exists()
    assert any(results.glob("default-frontier*/manifest.json"))


@pytest.mark.slow
def test_the_readme_python_example_runs(workdir):
    (code,) = [block for block in readme_blocks("python") if "load_scenario" in block][:1]
    run = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("optimal ")
