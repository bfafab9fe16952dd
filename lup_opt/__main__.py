"""``python -m lup_opt``: the lup-opt command line (``python -m lup_opt.cli`` would import the CLI
module twice, once as ``__main__``, and register its commands on the other copy)."""

from lup_opt.cli import app

app(prog_name="lup-opt")
