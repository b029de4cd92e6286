"""Statistics of screening surveys and Delphi rounds (DESIGN §2.8), numpy and scipy only.

Answers come as respondents × items tables with NaN (or None) for a missing answer or "cannot
judge". The pieces, each in its own module:
- ranking: scores from ranked orders, key factors;
- descriptive: per-item N, mean, SE, SD, variance, CV, median, IQR, full-score share,
  agreement share and Delphi consensus;
- concordance: Kendall's W with the tie correction and its χ² test;
- boundary: the boundary-value method's thresholds and keep / drop / discuss;
- experts: the experts' authority coefficient Cr and its tables;
- rounds: response rate and stability between rounds;
- choices: counts and shares of multiple-choice options.
Bad input raises ValueError with a message naming the rule (the modules' constants).
"""

from .boundary import DISCUSS, DROP, KEEP, BoundaryThresholds, boundary_thresholds, boundary_value
from .choices import ChoiceTable, choice_table
from .concordance import Concordance, kendall_w
from .descriptive import (
    CONSENSUS_MAX_IQR,
    CONSENSUS_MIN_AGREEMENT,
    Description,
    agreement_share,
    consensus,
    cv_from,
    default_agreement_level,
    describe,
    se_from,
)
from .experts import (
    ACCEPTABLE_AUTHORITY,
    BASES,
    DEFAULT_BASIS_TABLE,
    DEFAULT_FAMILIARITY,
    INFLUENCE_LEVELS,
    authority,
    familiarity_coefficient,
    judgment_basis_coefficient,
    panel_authority,
)
from .ranking import KEY_SHARE, is_key, key_factors, key_threshold, ranking_scores
from .rounds import Stability, response_rate, stability

__all__ = [
    "ACCEPTABLE_AUTHORITY",
    "BASES",
    "CONSENSUS_MAX_IQR",
    "CONSENSUS_MIN_AGREEMENT",
    "DEFAULT_BASIS_TABLE",
    "DEFAULT_FAMILIARITY",
    "DISCUSS",
    "DROP",
    "INFLUENCE_LEVELS",
    "KEEP",
    "KEY_SHARE",
    "BoundaryThresholds",
    "ChoiceTable",
    "Concordance",
    "Description",
    "Stability",
    "agreement_share",
    "authority",
    "boundary_thresholds",
    "boundary_value",
    "choice_table",
    "consensus",
    "cv_from",
    "default_agreement_level",
    "describe",
    "familiarity_coefficient",
    "is_key",
    "judgment_basis_coefficient",
    "kendall_w",
    "key_factors",
    "key_threshold",
    "panel_authority",
    "ranking_scores",
    "response_rate",
    "se_from",
    "stability",
]
