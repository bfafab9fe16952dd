"""Every command README.md shows runs as shown: in a copy of the repository's scenarios, in the
README's order, with the exit code the README promises (0 unless its comment says `exit N`), no
traceback, and the outputs it names present. The Python example runs too.

The commands run in two lanes at once, each in the README's order: the sections up to "Planning
under uncertainty" (where later commands read what earlier ones wrote), and from there on (each
command reads only the shipped scenarios and writes a results folder of its own). Each lane is a
process of its own that runs its commands through the ``lup-opt`` app (what the console script
calls, test_cli checks the script itself), so that the imports and matplotlib's fonts are paid
once per lane, not once per command; the Python example runs beside them, in a third process."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import REPO

README = REPO / "README.md"
LUP_OPT = Path(sys.executable).with_name("lup-opt")
EXIT = re.compile(r"\bexit (\d)\b")
LANE_TIMEOUT = 1800  # seconds for a lane of commands, or the Python example
PYTHON_EXAMPLE = "the README's Python example"


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


def run_lane(workdir: str, commands: list[str], out: str) -> None:
    """Run ``commands`` one after another in this process, from ``workdir``, through the app the
    ``lup-opt`` script calls; write each one's exit code and output (its traceback, if it raised)
    to the JSON file ``out``."""
    import json
    import os
    import tempfile
    import traceback

    from typer.testing import CliRunner

    from lup_opt.cli import app

    os.chdir(workdir)
    runner = CliRunner()
    done = {}
    for command in commands:
        # What reaches the process's own stdout and stderr (the sweep's Dask workers, C code) is
        # the command's output too, as it was when each command was a subprocess.
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as spill:
            saved = [os.dup(fd) for fd in (1, 2)]
            for fd in (1, 2):
                os.dup2(spill.fileno(), fd)
            try:
                run = runner.invoke(app, shlex.split(command)[1:])
            finally:
                for fd, copy in zip((1, 2), saved, strict=True):
                    os.dup2(copy, fd)
                    os.close(copy)
            spill.seek(0)
            text = run.output + spill.read()
        if run.exception is not None and not isinstance(run.exception, SystemExit):  # it raised
            text += "".join(traceback.format_exception(*run.exc_info))
        done[command] = (run.exit_code, text)
    Path(out).write_text(json.dumps(done), encoding="utf-8")


@dataclass(frozen=True)
class Ran:
    returncode: int
    output: str


def python_example() -> str:
    (code,) = [block for block in readme_blocks("python") if "load_scenario" in block][:1]
    return code


@pytest.fixture(scope="module")
def runs(workdir, tmp_path_factory) -> dict[str, Ran | subprocess.CompletedProcess]:
    """Every documented command, run once, in the README's order within its lane (later ones
    read what earlier ones of their lane wrote), the two lanes at once, each in a process of its
    own; beside them the Python example, in a copy of the scenarios of its own, under the key
    ``PYTHON_EXAMPLE``."""
    import json
    import multiprocessing

    if not LUP_OPT.exists():
        pytest.skip(f"the lup-opt command is not installed beside {sys.executable}")
    example_dir = tmp_path_factory.mktemp("readme-python")
    shutil.copytree(REPO / "scenarios", example_dir / "scenarios")
    with (open(example_dir / ".stdout", "w", encoding="utf-8") as out,  # the child keeps its copies
          open(example_dir / ".stderr", "w", encoding="utf-8") as err):
        example = subprocess.Popen([sys.executable, "-c", python_example()], cwd=example_dir, stdout=out, stderr=err)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, as the script would start
    lanes = [[command for command, _, n in DOCUMENTED if n == k] for k in (0, 1)]
    outs = [workdir / f".lane{k}.json" for k in range(len(lanes))]
    processes = [context.Process(target=run_lane, args=(str(workdir), lane, str(out)))
                 for lane, out in zip(lanes, outs, strict=True)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=LANE_TIMEOUT)
        if process.is_alive():
            process.kill()
    try:
        example.wait(timeout=LANE_TIMEOUT)
    except subprocess.TimeoutExpired:
        example.kill()
        example.wait()
    stdout, stderr = ((example_dir / name).read_text(encoding="utf-8") for name in (".stdout", ".stderr"))
    done = {PYTHON_EXAMPLE: subprocess.CompletedProcess(example.args, example.returncode, stdout, stderr)}
    for k, (lane, out) in enumerate(zip(lanes, outs, strict=True)):
        assert out.exists(), f"lane {k} ({lane[0]} ...) ended without its results (exit {processes[k].exitcode})"
        done.update({command: Ran(code, text) for command, (code, text) in json.loads(out.read_text()).items()})
    return done


def test_the_readme_documents_commands():
    assert len(COMMANDS) >= 25
    assert all(not re.search(r"\.\.\.|<[a-z]", c) for c, _ in COMMANDS), "placeholders cannot run as shown"


@pytest.mark.slow
@pytest.mark.parametrize(("command", "code"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_each_readme_command_runs_as_documented(runs, command, code):
    run = runs[command]
    assert "Traceback" not in run.output, run.output[-3000:]
    assert run.returncode == code, (run.returncode, run.output[-3000:])


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
def test_the_readme_python_example_runs(runs):
    run = runs[PYTHON_EXAMPLE]
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("optimal ")
