"""The command line starts at once: help and version load no solver, Pyomo, scipy or matplotlib."""

from __future__ import annotations

import importlib
import subprocess
import sys
from importlib.metadata import version

import lup_opt

HEAVY = ("pyomo", "matplotlib", "scipy", "pandas", "highspy")


def test_importing_the_cli_loads_no_heavy_module():
    probe = ("import sys, lup_opt.cli; "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_help_loads_no_heavy_module():
    probe = ("import sys\nfrom lup_opt.cli import app\n"
             "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
             f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "solve" in loaded.stdout
    assert loaded.stdout.strip().splitlines()[-1] == "HEAVY="


def test_version_prints_the_package_version(cli):
    run = cli(["--version"])
    assert run.exit_code == 0
    assert run.output.strip() == f"lup-opt {version('lup_opt')}"
    assert lup_opt.__version__ == version("lup_opt")


def test_the_package_names_still_resolve():
    assert callable(lup_opt.solve) and callable(lup_opt.load_scenario)
    importlib.import_module("lup_opt.solve.highs")  # the subpackage does not replace the function

    assert callable(lup_opt.solve)
    assert set(lup_opt.__all__) <= set(dir(lup_opt))


def test_python_dash_m_lup_opt_runs_the_command_line():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "lup_opt", "--version"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith("lup-opt "), run.stderr
