"""Membership rows of the leaves that are not voted (issue 15 §2): a row the coordinator gave,
or a measured value mapped through the leaf's grade thresholds (evaluations.engine.measured).

The missing messages join the snapshot's `missing` list, in English as the others are.
"""

from dataclasses import dataclass, field

import numpy as np

from ..engine import measured
from .panel import PanelInput


@dataclass
class DirectRows:
    """One subject's non-voted leaves: their rows, sources and measured values, and what lacks."""

    rows: dict[str, np.ndarray] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # code → "given" | "measured"
    values: dict[str, float] = field(default_factory=dict)  # code → the measured value
    units: dict[str, str] = field(default_factory=dict)  # code → unit, measured ones with one
    missing: list[str] = field(default_factory=list)


def direct_rows(subject: dict, data: PanelInput) -> DirectRows:
    """The membership row of every non-voted leaf for `subject`, or why it has none."""
    out = DirectRows()
    grade_count = len(data.grades)
    for code, leaf in data.direct.items():
        out.sources[code] = leaf["source"]
        inputs = leaf["inputs"]
        try:
            if leaf["source"] == "given":
                # The subject's own row wins over the row given for all subjects.
                given = (inputs.get(subject["id"]) or {}).get("row")
                given = given if given is not None else (inputs.get(None) or {}).get("row")
                if given is None:
                    out.missing.append(f"no membership row of {code} for {subject['name']}")
                    continue
                out.rows[code] = measured.given_membership(given, grade_count)
            else:
                if leaf["unit"]:
                    out.units[code] = leaf["unit"]
                value = (inputs.get(subject["id"]) or {}).get("value")
                if value is None:
                    out.missing.append(f"no measured value of {code} for {subject['name']}")
                    continue
                out.values[code] = value
                out.rows[code] = measured.measured_membership(
                    value,
                    leaf["thresholds"],
                    grade_count,
                    better=leaf["better"],
                    shape=leaf["shape"],
                )
        except ValueError as error:
            # Inputs checked when saved can stop fitting later (the grade set was edited).
            out.missing.append(f"{code} for {subject['name']}: {error}")
    return out
