"""``python -m lup_opt``: the lup-opt command line."""

from lup_opt.cli import app

app(prog_name="lup-opt")
