"""Guard: the suite reads nothing beside the repository (the repository stands alone).

An audit hook refuses every file opened under the repository's parent folder but outside the
repository itself, so a test or a module that reaches for a sibling folder (an upstream copy
of the reference data, another checkout) fails where it does it, instead of passing here and
failing in a clean clone. System files, the virtualenv inside the repository, temporary files
and services are untouched.
"""

import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_ROOT = str(REPO_ROOT) + os.sep
_PARENT = str(REPO_ROOT.parent).rstrip(os.sep) + os.sep
_TEMP = os.path.realpath(tempfile.gettempdir()) + os.sep
# A repository cloned straight into the temporary folder has the temporary files beside it.
_TEMP_IS_BESIDE = _TEMP.startswith(_PARENT)

ERROR = "the repository must stand alone: {path} is outside it (copy the data in instead)"


class OutsideRepository(PermissionError):
    pass


def outside_repository(path) -> bool:
    """True for a path under the repository's parent folder that is not in the repository."""
    if isinstance(path, int):
        return False  # an already open descriptor
    path = os.fsdecode(path)
    full = os.path.abspath(path) + os.sep
    if not full.startswith(_PARENT) or full.startswith(_ROOT):
        return False
    return not (_TEMP_IS_BESIDE and full.startswith(_TEMP))


def _hook(event: str, args: tuple) -> None:
    if event == "open" and args and outside_repository(args[0]):
        raise OutsideRepository(ERROR.format(path=args[0]))


_installed = False


def install() -> None:
    """Install the hook once per process (audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
