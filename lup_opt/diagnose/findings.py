"""What the checks before solving found: errors (the scenario cannot solve) and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from lup_opt.errors import ScenarioError, ScenarioIssue


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One thing a check found, in the planner's words, with the scenario keys it concerns."""

    severity: Severity
    check: str
    message: str
    keys: tuple[str, ...] = ()
    numbers: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity.value, "check": self.check, "message": self.message,
                "keys": list(self.keys), "numbers": dict(self.numbers)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """The finding :meth:`to_dict` wrote (a results folder's diagnosis.json)."""
        return cls(Severity(data["severity"]), data["check"], data["message"], tuple(data.get("keys", ())),
                   dict(data.get("numbers", {})))


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    ldn_capacity: pd.DataFrame
    seconds: float

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise PrecheckError(self)


class PrecheckError(ScenarioError):
    """The checks before solving proved the scenario cannot solve as written."""

    def __init__(self, report: CheckReport):
        self.report = report
        super().__init__([
            ScenarioIssue("scenario.yaml", ", ".join(f.keys), f.message) for f in report.errors
        ])
