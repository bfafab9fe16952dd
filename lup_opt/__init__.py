"""lup_opt: integrated land-use planning for functional areas, with Land Degradation Neutrality.

    >>> import lup_opt
    >>> scenario = lup_opt.load_scenario("scenarios/tiny")
    >>> result = lup_opt.solve(scenario)
    >>> result.status, result.objective
"""

from lup_opt.api import build, check, evaluate, explain, pyomo_model, solve
from lup_opt.diagnose.diagnosis import Diagnosis
from lup_opt.diagnose.evaluate import Evaluation
from lup_opt.diagnose.findings import CheckReport, PrecheckError
from lup_opt.enums import Backend, SolverMethod, SolveStatus
from lup_opt.errors import LupOptError, ScenarioError
from lup_opt.results.result import Result
from lup_opt.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "CheckReport",
    "Diagnosis",
    "Evaluation",
    "PrecheckError",
    "LupOptError",
    "Result",
    "Scenario",
    "ScenarioError",
    "SolveStatus",
    "SolverMethod",
    "__version__",
    "build",
    "check",
    "evaluate",
    "explain",
    "load_scenario",
    "pyomo_model",
    "solve",
]
