"""Solution -> Result (pandas tables) -> results folder."""

from lup_opt.results.result import Result

__all__ = ["Result"]
