"""REST endpoints for experts: their panels and their own ballots.

Ballots name indicators by code ("U1", "U11"); they are saved by the same services as the
HTML forms (same validation, same messages, same consistency policy), and error fields name
the pair or the indicator: "judgments.U1-U2", "ratings.U11".

A ballot has a working copy (`judgments` / `ratings`, `status`) and the submitted answers that
count in the results (`submitted_judgments` / `submitted_ratings`, null when none). A PUT
without `submit` changes only the working copy; POST …/withdraw/ takes the submitted answers
out of the results.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api import scoping
from evaluations.api.conflicts import CONFLICT_RESPONSE, state_conflicts
from evaluations.api.strict import StrictInput
from evaluations.models import Evaluation, Indicator, Subject
from evaluations.services.limits import MAX_INDICATORS
from experts.authentication import TokenScope

from . import services
from .models import Channel, PairwiseBallot, RatingBallot
from .selectors import access_membership, access_parent, questionnaire
from .wording import parse_token

PERMISSIONS = [IsAuthenticated, TokenScope]


# Any integer beyond this is off the 1–9 scale; bigger ones would not convert to a float.
MAX_JUDGMENT_INTEGER = 10**6


@extend_schema_field(
    {"oneOf": [{"type": "number"}, {"type": "string", "example": "1/3"}], "nullable": True}
)
class ScaleValueField(serializers.Field):
    """A judgment: a number (3, 0.2, 2.5) or a fraction ("1/5", "1/2.5"). Whether the
    evaluation's judgment scale allows it is the service's rule, checked as for the forms."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a number such as 3 or a fraction such as “1/3”.")
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, str):
            value = parse_token(data)
        elif isinstance(data, int) and abs(data) > MAX_JUDGMENT_INTEGER:
            value = str(data)  # 10**400 has no float; off the scale anyway
        else:
            value = float(data)
        if isinstance(value, str):
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return value


class JudgmentSerializer(StrictInput, serializers.Serializer):
    row = serializers.CharField(max_length=50, help_text="Code of the indicator on the left.")
    col = serializers.CharField(max_length=50, help_text="Code of the indicator on the right.")
    value = ScaleValueField(
        allow_null=True,
        required=False,
        default=None,
        help_text="How much more `row` matters than `col`: 1–9, or 1/2…1/9 the other way. "
        "The evaluation's `judgment_scale` says which values: `verbal` the 17 values, "
        '`intermediate` also half steps (2.5, "1/2.5"), `continuous` any value from 1/9 '
        "to 9 (0.8, 2.37). Null (or left out) while unanswered or when skipped.",
    )
    skipped = serializers.BooleanField(
        required=False,
        default=False,
        help_text="“I cannot compare these two”: true skips the pair (its value must then be "
        "null). Only where the evaluation allows skipped comparisons; a submission needs the "
        "pairs answered to link every indicator.",
    )
    comment = serializers.CharField(
        max_length=services.COMMENT_LIMIT, required=False, allow_blank=True, default=""
    )


class PairwiseBallotInSerializer(StrictInput, serializers.Serializer):
    judgments = JudgmentSerializer(many=True, max_length=36)
    submit = serializers.BooleanField(
        default=False, help_text="Submit (the ballot counts in the results) or keep as a draft."
    )


class RatingSerializer(StrictInput, serializers.Serializer):
    indicator = serializers.CharField(max_length=50, help_text="Code of a leaf indicator.")
    grade = serializers.IntegerField(allow_null=True, help_text="A grade id of the evaluation.")
    dont_know = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True: the expert cannot judge this indicator (grade null). Only where the "
        "evaluation's `allow_dont_know` is on; left out of the indicator's votes.",
    )
    comment = serializers.CharField(
        max_length=services.COMMENT_LIMIT, required=False, allow_blank=True, default=""
    )


class RatingBallotInSerializer(StrictInput, serializers.Serializer):
    ratings = RatingSerializer(many=True, max_length=MAX_INDICATORS)
    submit = serializers.BooleanField(default=False)


class JudgmentOutSerializer(serializers.Serializer):
    row = serializers.CharField()
    col = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    skipped = serializers.BooleanField(help_text="The expert could not compare this pair.")
    comment = serializers.CharField()


STATUS_HELP = (
    "Of the working copy: `submitted` when it is what counts in the results, `draft` when it "
    "holds changes not submitted (or was never submitted); null before the first save."
)


class PairwiseBallotOutSerializer(serializers.Serializer):
    parent = serializers.CharField()
    children = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(
        choices=["draft", "submitted"], allow_null=True, help_text=STATUS_HELP
    )
    cr = serializers.FloatField(allow_null=True, help_text="CR of the working copy.")
    consistent = serializers.BooleanField(allow_null=True)
    judgments = JudgmentOutSerializer(many=True, help_text="The working copy.")
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="When the answers that count were submitted; null if none."
    )
    submitted_cr = serializers.FloatField(allow_null=True)
    submitted_consistent = serializers.BooleanField(allow_null=True)
    submitted_judgments = JudgmentOutSerializer(
        many=True, allow_null=True, help_text="The answers the results count; null if none."
    )


class RatingOutSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    grade = serializers.IntegerField(allow_null=True)
    dont_know = serializers.BooleanField(help_text="True where the expert answered “don't know”.")
    comment = serializers.CharField()


class RatingBallotOutSerializer(serializers.Serializer):
    subject = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=["draft", "submitted"], allow_null=True, help_text=STATUS_HELP
    )
    ratings = RatingOutSerializer(many=True, help_text="The working copy.")
    submitted_at = serializers.DateTimeField(
        allow_null=True, help_text="When the answers that count were submitted; null if none."
    )
    submitted_ratings = RatingOutSerializer(
        many=True, allow_null=True, help_text="The answers the results count; null if none."
    )


IN_RESULTS_HELP = "Whether submitted answers of this form count in the results."


class PanelMatrixSerializer(serializers.Serializer):
    parent_id = serializers.IntegerField()
    parent = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["draft", "submitted"], allow_null=True, help_text=STATUS_HELP
    )
    in_results = serializers.BooleanField(help_text=IN_RESULTS_HELP)


class PanelSubjectSerializer(serializers.Serializer):
    subject_id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["draft", "submitted"], allow_null=True, help_text=STATUS_HELP
    )
    in_results = serializers.BooleanField(help_text=IN_RESULTS_HELP)


class PanelGradeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    score = serializers.FloatField()


class PanelSerializer(serializers.Serializer):
    evaluation = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    judgment_scale = serializers.ChoiceField(
        choices=Evaluation.JudgmentScale.choices,
        help_text="The judgment values this panel's pairwise ballots take (see `value`).",
    )
    matrices = PanelMatrixSerializer(many=True)
    subjects = PanelSubjectSerializer(many=True)
    grades = PanelGradeSerializer(many=True)


def _judgments_out(judgments: dict, by_id: dict[str, str]) -> list[dict]:
    out = []
    for key, answer in judgments.items():
        row, col = key.split("-")
        out.append(
            {
                "row": by_id.get(row),
                "col": by_id.get(col),
                "value": answer.get("value"),
                "skipped": answer.get("skipped") is True,
                "comment": answer.get("comment", ""),
            }
        )
    return out


def _pairwise_out(parent, ballot: PairwiseBallot | None) -> dict:
    children = list(parent.children.all())
    by_id = {str(child.pk): child.code for child in children}
    submitted = ballot.submitted_judgments if ballot else None
    return {
        "parent": parent.code,
        "children": [child.code for child in children],
        "status": ballot.status if ballot else None,
        "cr": ballot.cr if ballot else None,
        "consistent": ballot.consistent if ballot else None,
        "judgments": _judgments_out(ballot.judgments if ballot else {}, by_id),
        "submitted_at": ballot.submitted_at if ballot else None,
        "submitted_cr": ballot.submitted_cr if ballot else None,
        "submitted_consistent": ballot.submitted_consistent if ballot else None,
        "submitted_judgments": None if submitted is None else _judgments_out(submitted, by_id),
    }


def judgments_in(parent, items: list[dict]) -> tuple[dict, dict[str, str]]:
    """The API's judgments (by code) in the services' layout (by id), and the names of the
    pairs for the errors: "judgments.U1-U2". The paper-entry API reads them the same way."""
    children = list(parent.children.all())
    ids = {child.code: str(child.pk) for child in children}
    names = {
        f"{row.pk}-{col.pk}": f"{row.code}-{col.code}"
        for x, row in enumerate(children)
        for col in children[x + 1 :]
    }
    judgments = {}
    for item in items:
        key = f"{ids.get(item['row'], item['row'])}-{ids.get(item['col'], item['col'])}"
        names.setdefault(key, f"{item['row']}-{item['col']}")
        judgments[key] = {"value": item["value"], "comment": item["comment"]}
        if item["skipped"]:
            judgments[key]["skipped"] = True
    return judgments, names


def indicator_codes(evaluation_id: int) -> dict[int, str]:
    """{indicator id: code} in the indicators' order."""
    return dict(Indicator.objects.filter(evaluation_id=evaluation_id).values_list("pk", "code"))


def ratings_in(evaluation: Evaluation, items: list[dict]) -> tuple[dict, dict[str, str]]:
    """The API's ratings (by leaf code) in the services' layout, and the leaves' names."""
    return ratings_by_id(items, indicator_codes(evaluation.pk))


def ratings_by_id(items: list[dict], codes: dict[int, str]) -> tuple[dict, dict[str, str]]:
    """ratings_in with the evaluation's indicator_codes read already."""
    ids = {code: str(pk) for pk, code in codes.items()}
    ratings, names = {}, {}
    for item in items:
        key = ids.get(item["indicator"], item["indicator"])
        names[key] = item["indicator"]
        ratings[key] = {"grade": item["grade"], "comment": item["comment"]}
        if item["dont_know"]:
            ratings[key]["dont_know"] = True
    names.update({pk: code for code, pk in ids.items()})
    return ratings, names


def rename_errors(error: ValidationError, names: dict[str, str], prefix: str) -> ValidationError:
    return _rename(error, names, prefix)


def _rename(error: ValidationError, names: dict[str, str], prefix: str) -> ValidationError:
    """The service's error keys (indicator ids) as the API's fields (indicator codes)."""
    if not hasattr(error, "error_dict"):
        return error
    renamed = {}
    for key, errors in error.error_dict.items():
        field = f"{prefix}.{names[key]}" if key in names else key
        renamed[field] = errors
    return ValidationError(renamed)


class PanelListView(APIView):
    """The caller's panels as an expert, with what each asks and how far they are."""

    permission_classes = PERMISSIONS

    @extend_schema(responses=PanelSerializer(many=True))
    def get(self, request):
        panels = []
        for membership in scoping.memberships(request.user).order_by("-evaluation__created_at"):
            asked = questionnaire(membership=membership)
            evaluation = membership.evaluation
            panels.append(
                {
                    "evaluation": evaluation.pk,
                    "title": evaluation.title,
                    "status": evaluation.status,
                    "deadline": evaluation.deadline,
                    "judgment_scale": evaluation.judgment_scale,
                    "matrices": [
                        {
                            "parent_id": parent.pk,
                            "parent": parent.code,
                            "status": ballot.status if ballot else None,
                            "in_results": bool(ballot and ballot.submitted_at),
                        }
                        for parent, ballot in asked["matrices"]
                    ],
                    "subjects": [
                        {
                            "subject_id": subject.pk,
                            "name": subject.name,
                            "status": ballot.status if ballot else None,
                            "in_results": bool(ballot and ballot.submitted_at),
                        }
                        for subject, ballot in asked["subjects"]
                    ],
                    "grades": [
                        {"id": g.pk, "name": g.name, "score": g.score}
                        for g in evaluation.grades.all()
                    ],
                }
            )
        return Response(panels)


class PairwiseBallotView(APIView):
    """The caller's judgment matrix for one parent indicator: read, or save / submit (PUT)."""

    permission_classes = PERMISSIONS

    def _objects(self, request, evaluation_id: int, parent_id: int):
        # A save or a withdrawal reads the evaluation itself, under the membership's lock.
        membership = access_membership(
            user=request.user,
            evaluation_id=evaluation_id,
            with_evaluation=request.method == "GET",
        )
        return membership, access_parent(membership=membership, parent_id=parent_id)

    @extend_schema(responses=PairwiseBallotOutSerializer)
    def get(self, request, evaluation_id: int, parent_id: int):
        membership, parent = self._objects(request, evaluation_id, parent_id)
        ballot = PairwiseBallot.objects.filter(membership=membership, parent=parent).first()
        return Response(_pairwise_out(parent, ballot))

    @extend_schema(request=PairwiseBallotInSerializer, responses=PairwiseBallotOutSerializer)
    def put(self, request, evaluation_id: int, parent_id: int):
        membership, parent = self._objects(request, evaluation_id, parent_id)
        serializer = PairwiseBallotInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        judgments, names = judgments_in(parent, serializer.validated_data["judgments"])
        try:
            ballot = services.pairwise_ballot_save(
                membership=membership,
                parent=parent,
                judgments=judgments,
                submit=serializer.validated_data["submit"],
                channel=Channel.API,
            )
        except ValidationError as error:
            raise _rename(error, names, "judgments") from None
        return Response(_pairwise_out(parent, ballot))


class PairwiseWithdrawView(PairwiseBallotView):
    """Take the caller's submitted judgments for one parent indicator out of the results.

    The working copy stays as a draft, to change and submit again. 409 when nothing is
    submitted, or the panel is not open."""

    http_method_names = ["post", "options"]

    @extend_schema(
        request=None, responses={200: PairwiseBallotOutSerializer, 409: CONFLICT_RESPONSE}
    )
    def post(self, request, evaluation_id: int, parent_id: int):
        membership, parent = self._objects(request, evaluation_id, parent_id)
        with state_conflicts():
            ballot = services.pairwise_ballot_withdraw(
                membership=membership, parent=parent, channel=Channel.API
            )
        return Response(_pairwise_out(parent, ballot))


def _ratings_list(ratings: dict, codes: dict[int, str]) -> list[dict]:
    # In the indicators' order, not the stored object's (PostgreSQL's jsonb orders its keys
    # by length, so a ballot read back would list U21 before U11's siblings otherwise).
    position = {pk: n for n, pk in enumerate(codes)}
    ordered = sorted(ratings.items(), key=lambda item: position.get(int(item[0]), len(position)))
    return [
        {
            "indicator": codes.get(int(key)),
            "grade": answer.get("grade"),
            "dont_know": bool(answer.get("dont_know")),
            "comment": answer.get("comment", ""),
        }
        for key, answer in ordered
    ]


def _ratings_out(
    membership, subject, ballot: RatingBallot | None, codes: dict[int, str] | None = None
) -> dict:
    codes = indicator_codes(membership.evaluation_id) if codes is None else codes
    submitted = ballot.submitted_ratings if ballot else None
    return {
        "subject": subject.pk,
        "status": ballot.status if ballot else None,
        "ratings": _ratings_list(ballot.ratings if ballot else {}, codes),
        "submitted_at": ballot.submitted_at if ballot else None,
        "submitted_ratings": None if submitted is None else _ratings_list(submitted, codes),
    }


class RatingBallotView(APIView):
    """The caller's grades of every leaf indicator for one subject: read, or save / submit."""

    permission_classes = PERMISSIONS

    def _objects(self, request, evaluation_id: int, subject_id: int):
        membership = access_membership(
            user=request.user,
            evaluation_id=evaluation_id,
            with_evaluation=request.method == "GET",
        )
        subject = get_object_or_404(Subject, pk=subject_id, evaluation_id=evaluation_id)
        return membership, subject

    @extend_schema(responses=RatingBallotOutSerializer)
    def get(self, request, evaluation_id: int, subject_id: int):
        membership, subject = self._objects(request, evaluation_id, subject_id)
        ballot = RatingBallot.objects.filter(membership=membership, subject=subject).first()
        return Response(_ratings_out(membership, subject, ballot))

    @extend_schema(request=RatingBallotInSerializer, responses=RatingBallotOutSerializer)
    def put(self, request, evaluation_id: int, subject_id: int):
        membership, subject = self._objects(request, evaluation_id, subject_id)
        serializer = RatingBallotInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = indicator_codes(evaluation_id)  # read once for the input and the answer
        ratings, names = ratings_by_id(serializer.validated_data["ratings"], codes)
        try:
            ballot = services.rating_ballot_save(
                membership=membership,
                subject=subject,
                ratings=ratings,
                submit=serializer.validated_data["submit"],
                channel=Channel.API,
            )
        except ValidationError as error:
            raise _rename(error, names, "ratings") from None
        return Response(_ratings_out(membership, subject, ballot, codes))


class RatingWithdrawView(RatingBallotView):
    """Take the caller's submitted ratings of one subject out of the results (draft kept).
    409 when nothing is submitted, or the panel is not open."""

    http_method_names = ["post", "options"]

    @extend_schema(request=None, responses={200: RatingBallotOutSerializer, 409: CONFLICT_RESPONSE})
    def post(self, request, evaluation_id: int, subject_id: int):
        membership, subject = self._objects(request, evaluation_id, subject_id)
        with state_conflicts():
            ballot = services.rating_ballot_withdraw(
                membership=membership, subject=subject, channel=Channel.API
            )
        return Response(_ratings_out(membership, subject, ballot))
