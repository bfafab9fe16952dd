"""Errors a user can act on.

Every problem found in a scenario is reported as a :class:`ScenarioIssue` naming the file, the
place in it (a line and column of a table, or a key path of ``scenario.yaml``) and what to fix.
They travel together in one :class:`ScenarioError` so that a user sees all of them at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScenarioIssue:
    """One problem in one place of a scenario."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        place = f"{self.file}, {self.where}" if self.where else self.file
        return f"{place}: {self.message}"


class LupOptError(Exception):
    """Base class of the errors lup_opt raises on purpose."""


class OutputError(LupOptError):
    """A place to write that cannot be used as given (it would replace the user's files, another
    run, the scenario; or it cannot be written). Nothing was changed when it is raised."""


class ScenarioError(LupOptError):
    """A scenario that cannot be used as written. Carries every issue found."""

    def __init__(self, issues: Sequence[ScenarioIssue]):
        if not issues:
            raise ValueError("ScenarioError needs at least one issue")
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    @classmethod
    def single(cls, file: str, where: str, message: str) -> ScenarioError:
        return cls([ScenarioIssue(file, where, message)])


class IssueCollector:
    """Gathers issues during one validation stage, then raises them together."""

    def __init__(self) -> None:
        self._issues: list[ScenarioIssue] = []

    def add(self, file: str, where: str, message: str) -> None:
        self._issues.append(ScenarioIssue(file, where, message))

    def extend(self, issues: Iterable[ScenarioIssue]) -> None:
        self._issues.extend(issues)

    def __bool__(self) -> bool:
        return bool(self._issues)

    def raise_if_any(self) -> None:
        if self._issues:
            raise ScenarioError(self._issues)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean ...?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def known_list(choices: Iterable[str], limit: int = 12) -> str:
    """A short, readable list of valid values for an error message."""
    items = sorted({str(c) for c in choices})
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
