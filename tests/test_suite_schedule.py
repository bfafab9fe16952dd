"""The suite's own schedule (tests/conftest.py's SCHEDULE): it names test modules that exist, so a
renamed module cannot drop out of it unnoticed and leave the long modules to the end."""

from __future__ import annotations

from tests.conftest import REPO, SCHEDULE


def test_every_module_the_schedule_names_is_a_test_module_once():
    modules = {path.stem for path in (REPO / "tests").glob("test_*.py")}
    assert not set(SCHEDULE) - modules, "tests/conftest.py's SCHEDULE names modules that do not exist"
    assert len(set(SCHEDULE)) == len(SCHEDULE)
    assert SCHEDULE[0] == "test_readme_commands"  # the longest unit of work starts first
