"""lup_opt: integrated land-use planning for functional areas, with Land Degradation Neutrality.

    >>> import lup_opt
    >>> scenario = lup_opt.load_scenario("scenarios/tiny")
    >>> result = lup_opt.solve(scenario)
    >>> result.status, result.objective
"""

from lup_opt.api import build, pyomo_model, solve
from lup_opt.enums import Backend, SolverMethod, SolveStatus
from lup_opt.errors import LupOptError, ScenarioError
from lup_opt.results.result import Result
from lup_opt.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "LupOptError",
    "Result",
    "Scenario",
    "ScenarioError",
    "SolveStatus",
    "SolverMethod",
    "__version__",
    "build",
    "load_scenario",
    "pyomo_model",
    "solve",
]
