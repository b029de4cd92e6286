"""The figures of a screening round, as frozen dataclasses: what the rounds page, the exports
and the respondents' round-2 feedback read. Shares are fractions (0.75, not 75 %); a figure
that is undefined (the SD of one answer, the mean of none) is None, never NaN, so the JSON
export is plain JSON."""

from dataclasses import dataclass

# Why Kendall's W is missing (KendallW is None) or undefined.
W_TOO_FEW_ITEMS = "too_few_items"
W_TOO_FEW_EXPERTS = "too_few_experts"
W_ALL_TIED = "all_tied"  # every complete row rates every item alike: W reads 0 / 0


@dataclass(frozen=True)
class Remark:
    """A respondent's text (a suggestion, a reason, an "other" answer) and who wrote it: the
    expert's name when the evaluation shows names with comments, "Expert n" otherwise, and an
    anonymous label for the open link."""

    author: str
    text: str


@dataclass(frozen=True)
class DecisionRecord:
    """The coordinator's decision on an item after this round (surveys' ItemDecision)."""

    decision: str  # keep, drop, revise, merge
    rule_verdict: str
    note: str
    previous_name: str
    new_name: str
    merged_into: str  # the name of the item merged into, "" unless merged
    merged_into_id: int | None = None


@dataclass(frozen=True)
class ItemStatistics:
    """One item of a ranking or rating question in one round.

    valid is N; missing counts the valid responses without an answer for the item, "cannot
    judge" included (cannot_judge counts those alone). distribution counts the answers per level
    1 … L of a rating, or per place 1 … t of a ranking. verdict is the rule's: "keep", "drop" or
    "discuss". cv_change, changed_share and answered_both compare the same experts' answers with
    the previous round (None in round 1 or where the item was not asked in both).
    """

    item_id: int
    name: str  # as asked in this round (a later "revise" renames the item)
    code: str  # the hierarchy's code of the item's indicator, "" for a typed item
    new: bool  # first asked in this round (added after the previous one)
    valid: int
    missing: int
    cannot_judge: int
    mean: float | None
    se: float | None
    sd: float | None
    variance: float | None
    cv: float | None
    median: float | None
    iqr: float | None
    full_score_count: int
    full_score_share: float | None
    agreement_share: float | None  # ratings only
    distribution: tuple[int, ...]
    key_factor: bool | None  # rankings only: mean > threshold_share × top score
    verdict: str
    cv_change: float | None = None
    changed_share: float | None = None
    answered_both: int | None = None
    reasons: tuple[Remark, ...] = ()
    decision: DecisionRecord | None = None


@dataclass(frozen=True)
class KendallW:
    """Kendall's W over the complete rows, its χ² test and the experts it used."""

    w: float | None
    chi2: float | None
    df: int
    p: float | None
    experts: int


@dataclass(frozen=True)
class BoundaryLimits:
    """The boundary-value method's thresholds (None where fewer than 2 items define one)."""

    mean: float | None
    full_score_share: float | None
    cv: float | None


@dataclass(frozen=True)
class ScaleQuestionStatistics:
    """A ranking or rating question in one round.

    top_score is the full score: L for a rating, the first place's points for a ranking.
    threshold is the mean rule's (threshold_share × top score). A ranking is always judged by
    the mean rule (its key factors); a rating by the survey's rule, with `boundary` filled for
    the boundary-value method and the consensus limits for the consensus rule.
    """

    question_id: int
    kind: str
    text: str
    respondents: int
    levels: int | None
    points: tuple[float, ...]
    top_score: float
    rule: str
    threshold: float
    agreement_level: int | None
    boundary: BoundaryLimits | None
    consensus_max_iqr: float | None
    consensus_min_agreement: float | None
    kendall: KendallW | None
    kendall_missing: str  # "", or why W is missing or undefined (W_TOO_FEW_ITEMS, …)
    items: tuple[ItemStatistics, ...]
    overall_changed_share: float | None = None
    stability_experts: int = 0


@dataclass(frozen=True)
class ChoiceOption:
    item_id: int
    name: str
    is_other: bool
    count: int
    share: float | None  # of the respondents who answered; several answers may pass 100 %

    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


@dataclass(frozen=True)
class ChoiceQuestionStatistics:
    question_id: int
    kind: str
    text: str
    multiple: bool
    answered: int
    options: tuple[ChoiceOption, ...]
    other_texts: tuple[Remark, ...]


@dataclass(frozen=True)
class SuggestionQuestionStatistics:
    question_id: int
    kind: str
    text: str
    suggestions: tuple[Remark, ...]


QuestionStatistics = (
    ScaleQuestionStatistics | ChoiceQuestionStatistics | SuggestionQuestionStatistics
)


@dataclass(frozen=True)
class Counts:
    """Who answered the round. submitted = valid + invalid; not_submitted counts the responses
    started and left as drafts. The positive coefficient is valid expert responses / invited
    (None without invitations): the open link has no invitations to count against."""

    invited: int
    submitted: int
    valid: int
    valid_experts: int
    valid_open: int
    invalid: dict[str, int]  # "too_fast", "attention"
    not_submitted: int
    positive_coefficient: float | None


@dataclass(frozen=True)
class ExpertAuthority:
    label: str
    ca: float
    cs: float
    cr: float


@dataclass(frozen=True)
class AuthorityTables:
    """The coefficient tables Ca and Cs were read with: the survey's own, or the common
    defaults (DESIGN §2.8) where it has none (`*_default`)."""

    basis: dict[str, tuple[float, ...]]  # practice … intuition: high, medium, low influence
    familiarity: dict[str, float]  # very_familiar … unfamiliar, as the answers spell them
    basis_default: bool
    familiarity_default: bool


@dataclass(frozen=True)
class AuthorityStatistics:
    """Each expert's Ca, Cs and Cr (with the survey's tables), the panel's mean Cr and the
    customary line (0.7) it is read against. Only valid expert responses with a complete
    self-rating count."""

    experts: tuple[ExpertAuthority, ...]
    panel: float | None
    acceptable_line: float
    acceptable: bool | None
    tables: AuthorityTables


@dataclass(frozen=True)
class RoundStatistics:
    round_id: int
    number: int
    status: str
    rule: str
    threshold_share: float
    counts: Counts
    questions: tuple[QuestionStatistics, ...]
    authority: AuthorityStatistics | None  # None when the survey does not ask for it
    previous_number: int | None = None  # the round the stability figures compare with
    overall_changed_share: float | None = None
    stability_experts: int = 0

    def question(self, question_id: int) -> QuestionStatistics | None:
        return next((q for q in self.questions if q.question_id == question_id), None)

    def item(self, item_id: int) -> ItemStatistics | None:
        """A ranking or rating item's figures (the respondents' feedback reads median, iqr and
        distribution here); None for an item this round did not ask."""
        for question in self.questions:
            for item in getattr(question, "items", ()):
                if item.item_id == item_id:
                    return item
        return None
