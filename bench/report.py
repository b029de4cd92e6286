"""BENCHMARKS.md holds one section per benchmark; each run replaces only its own section."""

import os
import platform
from pathlib import Path

import numpy as np

TITLE = "# Benchmarks\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}; {os.cpu_count()} logical cores; Python {platform.python_version()}; "
        f"numpy {np.__version__}; {platform.system()} {platform.release()}"
    )


def _markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"


def write_section(path: Path, key: str, text: str) -> None:
    """Put `text` between this benchmark's markers in `path`, keeping the other sections."""
    start, end = _markers(key)
    block = f"{start}\n{text.strip()}\n{end}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        updated = before + block + ("\n" + after if after else "")
    else:
        updated = current.rstrip("\n") + "\n\n" + block
    path.write_text(updated, encoding="utf-8")
