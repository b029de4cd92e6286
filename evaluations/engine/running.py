"""A matrix's group figures from running sums over the panel (issue 17).

ahp.aggregate and incomplete_panel.aggregate take the whole stack of the experts' matrices. Every
figure they compute from it is a function of a few sums over the experts, so a panel can keep
the sums and change them by one expert's share when that expert's ballot comes, changes or
goes, instead of reading every ballot again:

- AIJ: the group matrix is exp(Σ α_k ln a_ij^k / Σ α_k) over the experts k who answered the
  pair (incomplete.group_matrix): per pair the weighted log sum and the weight sum.
- AIP: the weighted geometric mean of the experts' priorities needs Σ α_k ln p_k and, for
  Chang's zero weights (ln 0 = −∞, which a sum cannot take back), the count of zeros per
  element; the arithmetic mean Σ α_k p_k.
- S* (consensus.s_star) needs the experts' eigenvector priorities only through their mean and
  the mean of their entropies: Σ p_k, Σ H(p_k) and K.

`Share` is one expert's part; `Sums.add(share, sign)` adds (+1) or takes it back (−1).
`group` and `consensus` give what the stack functions give, to rounding (tests compare them
to 1e-12). Pure numpy, like the rest of the engine.
"""

from dataclasses import dataclass, field

import numpy as np

from . import ahp, consensus, incomplete
from . import ri as ri_tables
from .incomplete_panel import incomplete_method
from .weighting import Priorities, as_priorities, lambda_max_of, normalise_logs, weigh

EMPTY_GROUP = "no included expert: there is no group matrix"


@dataclass(frozen=True)
class Share:
    """One included expert's part of a matrix's sums.

    matrix: the expert's t × t judgments, NaN where a pair was skipped; alpha: their expert
    weight for this matrix (> 0); weights: their own priorities by the evaluation's method;
    eigen: their eigenvector priorities (Harker's for an incomplete matrix), for S*.
    """

    matrix: np.ndarray
    alpha: float
    weights: np.ndarray
    eigen: np.ndarray


@dataclass
class Sums:
    """The running sums of one t × t matrix over its included experts."""

    t: int
    experts: int = 0
    alpha: float = 0.0
    with_gaps: int = 0  # included matrices with a skipped pair
    log_judgments: np.ndarray = field(default=None)  # (t, t) Σ α ln a over who answered
    pair_alpha: np.ndarray = field(default=None)  # (t, t) Σ α over who answered
    log_weights: np.ndarray = field(default=None)  # (t,) Σ α ln p over p > 0
    zero_weights: np.ndarray = field(default=None)  # (t,) experts with p = 0
    weights: np.ndarray = field(default=None)  # (t,) Σ α p
    eigen: np.ndarray = field(default=None)  # (t,) Σ eigenvector p
    entropy: float = 0.0  # Σ H(eigenvector p)

    def __post_init__(self):
        t = self.t
        for name, shape in (
            ("log_judgments", (t, t)),
            ("pair_alpha", (t, t)),
            ("log_weights", (t,)),
            ("zero_weights", (t,)),
            ("weights", (t,)),
            ("eigen", (t,)),
        ):
            value = getattr(self, name)
            setattr(self, name, np.zeros(shape) if value is None else np.asarray(value, float))

    def add(self, share: Share, sign: int = 1) -> None:
        """Add one expert's share (sign +1) or take it back (sign −1)."""
        self.add_many(
            share.matrix[None],
            np.array([share.alpha]),
            share.weights[None],
            share.eigen[None],
            sign,
        )

    def add_many(self, matrices, alphas, weights, eigens, sign: int = 1) -> None:
        """Add (or take back) k experts' shares at once: matrices (k, t, t) with NaN for a
        skipped pair, alphas (k,), weights and eigens (k, t)."""
        matrices = np.asarray(matrices, dtype=float)
        alphas = np.asarray(alphas, dtype=float)
        weights, eigens = np.asarray(weights, dtype=float), np.asarray(eigens, dtype=float)
        answered = ~np.isnan(matrices)
        logs = np.log(np.where(answered, matrices, 1.0))
        share = np.where(answered, alphas[:, None, None], 0.0)
        self.experts += sign * len(alphas)
        self.alpha += sign * float(alphas.sum())
        self.with_gaps += sign * int((~answered.all(axis=(1, 2))).sum())
        self.log_judgments += sign * (share * logs).sum(axis=0)
        self.pair_alpha += sign * share.sum(axis=0)
        positive = weights > 0
        log_w = np.log(np.where(positive, weights, 1.0))
        self.log_weights += sign * np.where(positive, alphas[:, None] * log_w, 0.0).sum(axis=0)
        self.zero_weights += sign * (~positive).sum(axis=0)
        self.weights += sign * (alphas[:, None] * weights).sum(axis=0)
        self.eigen += sign * eigens.sum(axis=0)
        self.entropy += sign * float(consensus.entropy(eigens).sum())
        if self.experts == 0:  # back to nothing: no rounding residue is left behind
            self.__init__(self.t)

    def matrix(self) -> np.ndarray:
        """The AIJ group matrix, NaN for a pair nobody included answered."""
        mean = np.divide(
            self.log_judgments,
            self.pair_alpha,
            out=np.full((self.t, self.t), np.nan),
            where=self.pair_alpha > 0,
        )
        return np.exp(mean)

    def as_json(self) -> dict:
        return {
            "t": self.t,
            "experts": self.experts,
            "alpha": self.alpha,
            "with_gaps": self.with_gaps,
            "log_judgments": self.log_judgments.tolist(),
            "pair_alpha": self.pair_alpha.tolist(),
            "log_weights": self.log_weights.tolist(),
            "zero_weights": self.zero_weights.tolist(),
            "weights": self.weights.tolist(),
            "eigen": self.eigen.tolist(),
            "entropy": self.entropy,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Sums":
        return cls(**data)


def group(
    sums: Sums,
    method: str = "aij",
    weighting: str = "geometric",
    ri: str = ri_tables.DEFAULT,
    threshold: float = 0.1,
    mean: str = "geometric",
) -> Priorities:
    """The group's weights and consistency as ahp.aggregate (every included matrix complete)
    or incomplete_panel.aggregate (some with a skipped pair) give them for the same experts.
    Raises incomplete.DisconnectedError as they do, for a group matrix whose answered pairs do
    not link every element."""
    if sums.experts <= 0:
        raise ValueError(EMPTY_GROUP)
    matrix = sums.matrix()
    complete = not np.isnan(matrix).any()
    if method == "aij" and complete:
        group_weights, lambda_max = weigh(matrix[None], weighting)
        return as_priorities(group_weights, lambda_max, ri, threshold, batched=False)
    if method == "aij":
        return incomplete_method(weighting)(matrix, ri=ri, threshold=threshold)
    w = _mean_weights(sums, mean)
    if complete:
        lambda_max = lambda_max_of(matrix[None], w[None])
        return as_priorities(w[None], lambda_max, ri, threshold, batched=False)
    c = incomplete.incomplete_cr(matrix, ri)
    return Priorities(w, c.lambda_max, c.ci, c.cr, c.ri, threshold)


def _mean_weights(sums: Sums, mean: str) -> np.ndarray:
    if mean == "arithmetic":
        return sums.weights / sums.weights.sum()
    log_w = np.where(sums.zero_weights > 0, -np.inf, sums.log_weights / sums.alpha)
    if not np.isfinite(log_w).any():
        raise ValueError(ahp.ALL_WEIGHTS_ZERO)
    return normalise_logs(log_w)


def consensus_of(sums: Sums, scale_max: float = 9) -> float:
    """S* (consensus.s_star) of the included experts' eigenvector priorities, from their sums."""
    if sums.experts < 2:
        raise ValueError(consensus.TOO_FEW_EXPERTS)
    return consensus.s_star_of_sums(
        sums.eigen / sums.experts, sums.entropy / sums.experts, sums.t, scale_max
    )
