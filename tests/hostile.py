"""Hostile input shared by the bad-input tests (issue 12): text a parser must refuse after a
pattern match or a length check, never after a long computation, and never with a 500.

Each value stands for a way a careless parser fails: exponents that build huge exact numbers
(Fraction("1e10000000") held a process for seconds), digit strings beyond int()'s limit,
floats that overflow to infinity or underflow to zero, zeros that divide, NaN and infinities,
digits that are not ASCII, control characters and Python-only spellings.
"""

HOSTILE = [
    "1e10000000",
    "1e999999999",
    "9" * 100_000,
    "1/" + "9" * 5000,
    "1" + "0" * 5000,
    "1e309",
    "1e-400",
    "0",
    "0.0",
    "-0",
    "0/7",
    "1/0",
    "-3",
    "nan",
    "inf",
    "-inf",
    "１/３",
    "²",
    "3\x00",
    "((((1))))",
    "1_000",
]

# Number literals as a JSON client may send them: JSON has no infinity, but 1e309 parses to
# one, and 10**400 is a valid JSON integer that no float or database column holds.
HOSTILE_NUMBERS = ["1e309", "-1e400", "1e-400", "1" + "0" * 400, "-" + "9" * 4000, "0", "-0", "0.0"]

# The judgments that once broke the redrawn pairwise form with a ZeroDivisionError.
ZERO_JUDGMENTS = ["0", "0.0", "-0", "0/7", "1e-400"]

# 3,000 levels: Python's decoder recursed once per level and ended in a RecursionError.
DEEP_ARRAY = "[" * 3000 + "]" * 3000
DEEP_OBJECT = '{"a":' * 3000 + "1" + "}" * 3000
DEEP_JSON = [DEEP_ARRAY, DEEP_OBJECT]


def json_strings() -> list[str]:
    """HOSTILE as JSON string literals (a NUL character in JSON's escape)."""
    return ['"' + value.replace("\x00", "\\u0000") + '"' for value in HOSTILE]
