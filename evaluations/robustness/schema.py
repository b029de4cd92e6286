"""The OpenAPI description of `results.robustness` (DESIGN §4; layout in reading.py and
flips.py). Documentation only: the API returns the stored figures as they are."""

from rest_framework import serializers

PROBABILITIES = "Keyed by subject id: the probability of each rank 1…S (summing to 1)."
GRADE_PROBABILITIES = "Keyed by subject id: the probability of each grade, best first."
PERCENTILES = "Keyed by indicator code: the 5, 50 and 95 % percentiles of its global weight."
NEAREST = "The nearest local weight in [0, 1] {side} the current one at which {what}; null if none."


def _nearest(side: str, what: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=NEAREST.format(side=side, what=what))


def _table(help_text: str, **kwargs) -> serializers.DictField:
    numbers = serializers.ListField(child=serializers.FloatField(allow_null=True))
    return serializers.DictField(child=numbers, help_text=help_text, **kwargs)


class FlipPointSerializer(serializers.Serializer):
    node = serializers.CharField(help_text="The parent indicator's code.")
    criterion = serializers.CharField(help_text="The child indicator's code.")
    weight = serializers.FloatField(help_text="The criterion's current local weight.")
    global_weight = serializers.FloatField(help_text="The node's global weight (1 at the root).")
    below = _nearest("below", "the subjects' order changes")
    above = _nearest("above", "the subjects' order changes")
    top_below = _nearest("below", "the top subject changes")
    top_above = _nearest("above", "the top subject changes")
    grade_below = _nearest("below", "any subject's grade changes")
    grade_above = _nearest("above", "any subject's grade changes")
    relative_change = serializers.FloatField(
        allow_null=True,
        help_text="|x − weight| / weight for the nearest change of order (DESIGN §2.9).",
    )
    top_relative_change = serializers.FloatField(
        allow_null=True, help_text="The same for the nearest change of the top subject."
    )


class MostCriticalSerializer(serializers.Serializer):
    node = serializers.CharField()
    criterion = serializers.CharField()
    weight = serializers.FloatField()
    point = serializers.FloatField(help_text="The local weight at which the top subject changes.")
    relative_change = serializers.FloatField()


class SimulationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["done", "computing", "failed", "unavailable", "none"],
        help_text="none: not analysed (switched off, or a snapshot older than the analysis); "
        "unavailable: the simulation cannot reproduce these results' method (reason).",
    )
    reason = serializers.ChoiceField(
        choices=["fuzzy_weighting"],
        required=False,
        help_text="When unavailable: a fuzzy weighting method (the simulation draws crisp "
        "judgments only).",
    )
    message = serializers.CharField(required=False, help_text="The reason in words.")
    source = serializers.ChoiceField(
        choices=["noise", "bootstrap"], required=False, help_text="Judgment noise first."
    )
    draws = serializers.IntegerField(required=False)
    seed = serializers.IntegerField(required=False, help_text="Same inputs and seed, same figures.")
    k = serializers.IntegerField(
        required=False, allow_null=True, help_text="The largest step of judgment noise."
    )
    top = serializers.IntegerField(required=False, help_text="The top subject's id.")
    top_probability = serializers.FloatField(
        required=False, allow_null=True, help_text="The probability that it stays on top."
    )
    rank_probabilities = _table(PROBABILITIES, required=False)
    grade_probabilities = _table(GRADE_PROBABILITIES, required=False)
    weight_percentiles = _table(PERCENTILES, required=False)
    sources = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text="Every selected source's figures (noise, bootstrap), the same keys each.",
    )
    error = serializers.CharField(required=False, help_text="Why it failed (coordinator only).")


class RobustnessSerializer(serializers.Serializer):
    operator = serializers.CharField(allow_null=True)
    exact = serializers.BooleanField(
        allow_null=True, help_text="True under M(·,+); else a bracketing search to 1e-6."
    )
    flip_points = FlipPointSerializer(many=True)
    most_critical = MostCriticalSerializer(allow_null=True)
    lines = serializers.DictField(
        required=False,
        help_text="node code → criterion code → {x, totals {subject id: [total at each x]}}.",
    )
    simulation = SimulationSerializer()
    agreement = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="Coordinator only: {threshold, experts [{name, overall, flagged, matrices}]}.",
    )
    leave_one_out = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        allow_null=True,
        help_text="Coordinator only: per expert, the ranking without them.",
    )


class SubjectResultSerializer(serializers.Serializer):
    """One subject's figures; described here: what says where a leaf's membership came from."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    membership_source = serializers.DictField(
        child=serializers.ChoiceField(choices=["given", "measured"]),
        required=False,  # snapshots from before direct membership lack the three
        help_text="Leaf code → given | measured, for the leaves not voted (issue 15 §2); their "
        "vote counts stay 0 and their membership row is the given or derived one.",
    )
    measured = serializers.DictField(
        child=serializers.FloatField(),
        required=False,
        help_text="Leaf code → the measured value used.",
    )
    units = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text="Leaf code → the measured value's unit.",
    )


class FewRatingsSerializer(serializers.Serializer):
    subject = serializers.IntegerField(help_text="Subject id.")
    subject_name = serializers.CharField()
    leaf = serializers.CharField(help_text="Code of the leaf indicator.")
    rated = serializers.IntegerField(help_text="Experts who gave it a grade.")
    dont_know = serializers.IntegerField(help_text="Experts who answered “don't know”.")
    minimum = serializers.IntegerField(help_text="The evaluation's `min_ratings_per_leaf`.")


class ResultsDataSerializer(serializers.Serializer):
    """The snapshot's figures (layout in evaluations/services/results.py); only `robustness`
    is described field by field here, of `subjects` what direct membership adds, and
    `few_ratings` (and the `source` of each matrix)."""

    matrices = serializers.ListField(
        child=serializers.DictField(),
        help_text="One per parent with two or more children: {parent, children, source "
        "('pairwise': the panel's judgments; 'given': the coordinator's direct weights, with "
        "given_source and ignored_ballots, and null lambda_max, ci, ri, cr, matrix and "
        "consensus), experts_submitted, experts_included, weights, lambda_max, ci, ri, cr, "
        "consistent, matrix, consensus, consensus_word, per_expert, inconsistent_experts}.",
    )
    robustness = RobustnessSerializer()
    subjects = SubjectResultSerializer(many=True)
    few_ratings = FewRatingsSerializer(
        many=True,
        required=False,
        help_text="Leaves of a subject rated by at least one expert but fewer than the "
        "minimum; each subject also carries `rated` and `dont_know` ({leaf code: experts}).",
    )
