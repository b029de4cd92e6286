"""An evaluation: its indicator hierarchy, grade set, subjects and method settings, the audit
trail of changes to it, and the results computed from its ballots."""

from .audit import AuditEntry
from .evaluation import MAX_CHILDREN, Evaluation
from .exports import ExportJob
from .inputs import LeafInput
from .running import BallotShare, RunningResults
from .snapshots import ResultSnapshot, RobustnessAnalysis
from .structure import Grade, Indicator, Subject

__all__ = [
    "MAX_CHILDREN",
    "AuditEntry",
    "BallotShare",
    "Evaluation",
    "ExportJob",
    "Grade",
    "Indicator",
    "LeafInput",
    "ResultSnapshot",
    "RobustnessAnalysis",
    "RunningResults",
    "Subject",
]
