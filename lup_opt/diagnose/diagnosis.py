"""The diagnosis of a scenario: feasible or not, the conflicting targets, and the relaxations
that would make it solve, in sentences a planner can act on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lup_opt.diagnose.findings import Finding, Severity
from lup_opt.enums import Comparison
from lup_opt.families.base import RelaxableKind, RelaxableRow
from lup_opt.formatting import number


@dataclass(frozen=True)
class ConflictMember:
    kind: RelaxableKind
    name: str
    key: str | None
    label: str

    @classmethod
    def of(cls, row: RelaxableRow) -> ConflictMember:
        return cls(row.kind, row.name, row.key, row.label)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "name": self.name, "key": self.key, "label": self.label}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConflictMember:
        return cls(RelaxableKind(data["kind"]), data["name"], data.get("key"), data["label"])


@dataclass(frozen=True)
class Relaxation:
    """One row moved to ``required`` from ``current`` (its scenario key's value)."""

    kind: RelaxableKind
    name: str
    key: str | None
    label: str
    unit: str
    sense: Comparison
    current: float
    required: float
    size: float

    @classmethod
    def of(cls, row: RelaxableRow, required: float) -> Relaxation:
        return cls(row.kind, row.name, row.key, row.label, row.unit, row.sense, row.value, required, row.size)

    @property
    def change(self) -> float:
        return self.required - self.current

    @property
    def relative_change(self) -> float:
        base = abs(self.current) if self.current else self.size
        return abs(self.change) / base if base else float("inf")

    def sentence(self) -> str:
        if self.kind == RelaxableKind.LDN:
            if self.required < 0:
                return (f"{self.label} must accept a net loss of {number(-self.required)} ha (LDN target "
                        f"{number(self.current)} ha); a target below neutrality needs a justification in "
                        "ldn.justification (UNCCD)")
            return f"the LDN net target of {self.label} must drop from {number(self.current)} ha to {number(self.required)} ha"
        if self.kind == RelaxableKind.FOOD:
            return (f"{self.label} exceeds what its land, links and imports can supply by "
                    f"{number(-self.change)} {self.unit}: lower food.products.{self.name}.demand_per_person, "
                    f"add a link (food.links) or allow imports (food.products.{self.name}.import_price)")
        if self.kind == RelaxableKind.FUNDS:
            return (f"{self.label} falls {number(self.change)} {self.unit} short: raise its amount in the funds "
                    f"table (finance.amounts) from {number(self.current)} to {number(self.required)}, or make "
                    "another source eligible")
        if self.kind == RelaxableKind.SHARE:
            verb = "drop" if self.change < 0 else "rise"
            return f"{self.label} must {verb} from {self.current:.1%} to {self.required:.1%}"
        if self.kind == RelaxableKind.EQUAL_SHARE:
            return (f"{self.label} must let the groups' shares differ by up to {self.required:.1%} from their "
                    f"common share (now {self.current:.1%})")
        verb = "drop" if self.change < 0 else "rise"
        return (f"{self.label} must {verb} by {number(abs(self.change))} {self.unit} ({self.relative_change:.1%}), "
                f"from {number(self.current)} to {number(self.required)}")

    def to_dict(self) -> dict[str, Any]:
        # change, relative_change and sentence are for the reader; from_dict derives them again.
        return {"kind": self.kind.value, "name": self.name, "key": self.key, "label": self.label, "unit": self.unit,
                "sense": self.sense.value, "current": self.current, "required": self.required, "size": self.size,
                "change": self.change, "relative_change": self.relative_change, "sentence": self.sentence()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Relaxation:
        return cls(RelaxableKind(data["kind"]), data["name"], data.get("key"), data["label"], data["unit"],
                   Comparison(data["sense"]), float(data["current"]), float(data["required"]), float(data["size"]))


@dataclass(frozen=True)
class Diagnosis:
    scenario: str
    feasible: bool
    presolve_checks: Mapping[str, str]
    findings: tuple[Finding, ...]
    conflicts: tuple[tuple[ConflictMember, ...], ...]
    relaxation: tuple[Relaxation, ...]
    alternatives: tuple[Relaxation, ...]
    overrides: Mapping[str, float]
    seconds: float
    fewest_rows: bool = False
    structural: bool = False
    ldn_capacity: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    # Which model was diagnosed when it is not the whole plan, e.g. one year of myopic planning.
    context: str = ""

    def _repr_html_(self) -> str:
        """A summary in a notebook: solvable or not, the conflicts, the smallest relaxation."""
        from lup_opt.notebook_html import diagnosis_html

        return diagnosis_html(self)

    def sentences(self) -> list[str]:
        checks = ", ".join(f"presolve {k}: {v}" for k, v in self.presolve_checks.items())
        where = f" {self.context}" if self.context else ""
        if self.feasible:
            return [f"Scenario '{self.scenario}'{where} is feasible ({checks})."]
        out = [f"Scenario '{self.scenario}'{where} is infeasible ({checks})."]
        out += [f.message for f in self.findings if f.severity is Severity.ERROR]
        if self.structural:
            out.append("Even with every target, LDN, food and funds row relaxed there is no plan: the land "
                       "itself (areas, allowed transitions) cannot be planned; check transitions and exclusions.")
            return out
        for i, conflict in enumerate(self.conflicts, 1):
            names = "; ".join(m.label for m in conflict)
            lead = "These cannot all hold together" if len(conflict) > 1 else "This cannot hold"
            out.append(f"Conflict {i}: {lead}: {names}.")
        if self.alternatives:
            out.append("Any one of these would make the scenario solve: "
                       + ", or ".join(r.sentence() for r in self.alternatives) + ".")
        if self.relaxation:
            how = "relaxing the fewest targets" if self.fewest_rows else "the smallest total relative change"
            out.append(f"Together ({how}): " + "; ".join(r.sentence() for r in self.relaxation) + ".")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "feasible": self.feasible,
            "presolve_checks": dict(self.presolve_checks),
            "sentences": self.sentences(),
            "findings": [f.to_dict() for f in self.findings],
            "conflicts": [[m.to_dict() for m in c] for c in self.conflicts],
            "relaxation": [r.to_dict() for r in self.relaxation],
            "alternatives": [r.to_dict() for r in self.alternatives],
            "overrides": dict(self.overrides),
            "fewest_rows": self.fewest_rows,
            "structural": self.structural,
            "context": self.context,
            "seconds": round(self.seconds, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], ldn_capacity: pd.DataFrame | None = None) -> Diagnosis:
        """The diagnosis :meth:`to_dict` wrote (``ldn_capacity`` is kept beside it, in its own table)."""
        return cls(
            scenario=data["scenario"], feasible=bool(data["feasible"]),
            presolve_checks=dict(data.get("presolve_checks", {})),
            findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
            conflicts=tuple(tuple(ConflictMember.from_dict(m) for m in c) for c in data.get("conflicts", ())),
            relaxation=tuple(Relaxation.from_dict(r) for r in data.get("relaxation", ())),
            alternatives=tuple(Relaxation.from_dict(r) for r in data.get("alternatives", ())),
            overrides={k: float(v) for k, v in data.get("overrides", {}).items()},
            seconds=float(data.get("seconds", 0.0)), fewest_rows=bool(data.get("fewest_rows", False)),
            structural=bool(data.get("structural", False)), ldn_capacity=ldn_capacity,
            context=str(data.get("context", "")),
        )

    @classmethod
    def from_json(cls, text: str, ldn_capacity: pd.DataFrame | None = None) -> Diagnosis:
        return cls.from_dict(json.loads(text), ldn_capacity)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def to_markdown(self) -> str:
        lines = [f"# Diagnosis of scenario '{self.scenario}'", ""]
        lines += [f"- {s}" for s in self.sentences()]
        if self.relaxation:
            lines += ["", "## Relaxation that makes the scenario solve", "",
                      "| scenario key | now | required | change |", "|---|---:|---:|---:|"]
            lines += [f"| {f'`{r.key}`' if r.key else r.label + ' (derived)'} | {r.current:,.6g} | {r.required:,.6g} | "
                      f"{r.change:+,.6g} {r.unit}"
                      + (f" ({r.relative_change:.1%})" if r.current else "") + " |"
                      for r in self.relaxation]
            apply = [f"`--set {k}={v:.10g}`" for k, v in self.overrides.items()]
            if any(k.startswith("ldn.net_target_ha") and v < 0 for k, v in self.overrides.items()):
                # Accepting a net loss is refused without a stated reason (UNCCD).
                apply.append("`--set 'ldn.justification=<why a net loss is accepted>'`")
            lines += ["", "Apply with: " + " ".join(apply)]
        warnings = [f for f in self.findings if f.severity is Severity.WARNING]
        if warnings:
            lines += ["", "## Warnings", ""] + [f"- {f.message}" for f in warnings]
        return "\n".join(lines) + "\n"
