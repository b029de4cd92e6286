"""The reference cases, from the repository's own copy in tests/reference (see its README)."""

import json
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"

# The file prints 10 decimals, so its own rounding is up to 5e-11.
TOLERANCE = 1e-9


@cache
def load(name: str) -> dict:
    with open(REFERENCE_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


def cases(section: str) -> dict:
    """The cases of one section of cases.json by name, without the "_about" notes."""
    return {key: case for key, case in load("cases.json")[section].items() if key != "_about"}
