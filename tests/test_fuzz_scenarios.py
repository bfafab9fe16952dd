"""Fuzz the command line with mutated ``tiny`` and ``default`` scenarios (issue 11).

The cases and checks are those of ``benchmarks/fuzz.py`` (see its docstring): every case ends
with exit 0, 1 or 2 and no traceback; exit 2 names a file and a place; input the format forbids
is refused; nothing is left behind or changed outside ``--out``; nothing outside the scenario is
quoted; an exit 0 solve conserves area per land unit and year. The quick subset fuzzes ``tiny``
with a few cases per mutation family; the full suite runs 200 cases, 20 per mutation family (18 of
``tiny``, 2 of the default); the long run (1,000 and more, with a table by mutation family) is
``benchmarks/fuzz.py``.
"""

from __future__ import annotations

import random
import resource
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import fuzz

GOOD = {"refused (2)", "solved (0)", "not optimal (1)"}
CASES = 200  # the full suite: tiny and (one case in ten) the default
QUICK_CASES = 12  # the quick subset: tiny only, one or two cases per family (a mutated default that solves takes seconds)


@pytest.fixture(scope="module")
def memory_cap():
    """A memory bomb that got through would fail (MemoryError) instead of exhausting the machine."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    fuzz.limit_memory(16.0)
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def base():
    folder = Path(tempfile.mkdtemp(prefix="lup-fuzz-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _assert_a_clean_answer(base, family, scenario, seed):
    rng = random.Random(seed)
    case = fuzz.Case(scenario=scenario, family=family)
    root = Path(tempfile.mkdtemp(dir=base))
    outcome = fuzz.run_case(case, rng, root / "case")
    assert outcome.verdict in GOOD, (
        f"{outcome.verdict}: {case.description} :: lup-opt {' '.join(case.command)} -> exit {outcome.exit_code}\n"
        f"{outcome.detail}\n{outcome.output[-2000:]}")


@settings(max_examples=QUICK_CASES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(family=st.sampled_from(sorted(fuzz.FAMILIES)), seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_mutated_tiny_scenarios_get_a_clean_answer(memory_cap, base, family, seed):
    _assert_a_clean_answer(base, family, "tiny", seed)


# One test per mutation family and scenario: each family gets a fixed share of the cases (18 of
# tiny and 2 of the default, whose solves take seconds: a sampled share made the suite's time vary
# by tens of seconds), a failure names its family and scenario, and with 21 tests the module is
# not the one xdist schedules last, alone on one core.
DEFAULT_SHARE = 10  # one case in ten mutates the default


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(fuzz.FAMILIES))
@settings(max_examples=CASES // len(fuzz.FAMILIES) * (DEFAULT_SHARE - 1) // DEFAULT_SHARE, deadline=None,
          database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_mutated_tiny_scenarios_of_each_family_get_a_clean_answer(memory_cap, base, family, seed):
    _assert_a_clean_answer(base, family, "tiny", seed)


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(fuzz.FAMILIES))
@settings(max_examples=CASES // len(fuzz.FAMILIES) // DEFAULT_SHARE, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**63 - 1))
def test_mutated_default_scenarios_of_each_family_get_a_clean_answer(memory_cap, base, family, seed):
    _assert_a_clean_answer(base, family, "default", seed)
