"""lup_opt: integrated land-use planning for functional areas, with Land Degradation Neutrality.

    >>> import lup_opt
    >>> scenario = lup_opt.load_scenario("scenarios/tiny")
    >>> result = lup_opt.solve(scenario)
    >>> result.status, result.objective
    >>> folder = result.write("results/tiny")
    >>> lup_opt.read_result(folder).allocation   # the same tables, manifest and diagnosis

The names below are imported when first used, so that ``import lup_opt.cli`` (and
``lup-opt --help``) does not load pandas, scipy, Pyomo or matplotlib.
"""

from __future__ import annotations

import importlib
import sys
import types

# name -> module that defines it
_LAZY = {
    "build": "lup_opt.api",
    "check": "lup_opt.api",
    "evaluate": "lup_opt.api",
    "explain": "lup_opt.api",
    "pyomo_model": "lup_opt.api",
    "solve": "lup_opt.api",
    "Diagnosis": "lup_opt.diagnose.diagnosis",
    "Evaluation": "lup_opt.diagnose.evaluate",
    "CheckReport": "lup_opt.diagnose.findings",
    "PrecheckError": "lup_opt.diagnose.findings",
    "Backend": "lup_opt.enums",
    "SolverMethod": "lup_opt.enums",
    "SolveStatus": "lup_opt.enums",
    "LupOptError": "lup_opt.errors",
    "ScenarioError": "lup_opt.errors",
    "Manifest": "lup_opt.results.manifest",
    "Result": "lup_opt.results.result",
    "read_result": "lup_opt.results.result",
    "Scenario": "lup_opt.scenario",
    "load_scenario": "lup_opt.scenario",
    "solve_stochastic": "lup_opt.stochastic.plan",
    "StochasticResult": "lup_opt.stochastic.result",
}

__all__ = sorted([*_LAZY, "__version__"])


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lup_opt")
    except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
        return "0.0.0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        globals()[name] = value = _package_version()
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lup_opt' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "__version__"})


class _Package(types.ModuleType):
    """``lup_opt.solve`` is the function, as before, even once the ``lup_opt.solve`` subpackage
    is imported (the import system would otherwise bind the subpackage over it)."""

    def __setattr__(self, name: str, value) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
