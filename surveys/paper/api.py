"""REST endpoints to type in paper ballots (the coordinator and data-entry assistants), and to
add experts known by name only (the coordinator).

A paper ballot is posted in the expert API's layout (judgments by indicator code, ratings by
leaf code) with the expert's membership id and the form's number; it is saved by the same
services as the paper-entry pages, so the errors are the expert form's, named
"judgments.U1-U2" / "ratings.U11".
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.serializers import NOT_BLANK
from evaluations.api.strict import StrictInput
from evaluations.models import Subject
from evaluations.services.limits import MAX_INDICATORS
from experts.paste import NAME_LIMIT
from experts.selectors import access_membership

from ..api import (
    PERMISSIONS,
    JudgmentSerializer,
    RatingSerializer,
    judgments_in,
    ratings_in,
    rename_errors,
)
from ..selectors import access_parent
from . import roster, services
from .selectors import access_data_entry

FORM_NUMBER_HELP = (
    f"The number printed on the paper questionnaire: optional, at most "
    f"{services.FORM_NUMBER_LIMIT} characters, one line."
)


class PaperPairwiseInSerializer(StrictInput, serializers.Serializer):
    membership = serializers.IntegerField(min_value=1, help_text="The expert's membership id.")
    parent = serializers.IntegerField(min_value=1, help_text="The matrix's parent indicator id.")
    judgments = JudgmentSerializer(many=True, max_length=36)
    # The service bounds and checks it (its message names the rule); this only caps the read.
    form_number = serializers.CharField(
        max_length=services.FORM_NUMBER_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=True,
        help_text=FORM_NUMBER_HELP,
    )


class PaperRatingsInSerializer(StrictInput, serializers.Serializer):
    membership = serializers.IntegerField(min_value=1, help_text="The expert's membership id.")
    subject = serializers.IntegerField(min_value=1, help_text="The subject id.")
    ratings = RatingSerializer(many=True, max_length=MAX_INDICATORS)
    form_number = serializers.CharField(
        max_length=services.FORM_NUMBER_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        help_text=FORM_NUMBER_HELP,
    )


class MismatchSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"form_number", or the pair / leaf key (ids).')
    item = serializers.CharField(help_text="The pair or leaf, by code and name.")
    first = serializers.CharField(help_text="The first typing's value.")
    second = serializers.CharField(help_text="This typing's value.")


class PaperOutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[services.COUNTED, services.PENDING, services.MISMATCH],
        help_text="`counted`: the ballot counts in the results. Under double entry, `pending`: "
        "kept as the first typing, waiting for another person's; `mismatch`: kept, and it "
        "differs from the typing waiting in `mismatches` (the coordinator resolves them on "
        "the paper-entry page).",
    )
    entry = serializers.IntegerField(allow_null=True, help_text="The kept typing's id, if any.")
    mismatches = MismatchSerializer(many=True)


def _outcome(outcome: services.PaperOutcome) -> Response:
    body = {
        "status": outcome.status,
        "entry": outcome.entry.pk if outcome.entry else None,
        "mismatches": [{k: cell[k] for k in ("key", "item", "first", "second")}
                       for cell in outcome.mismatches],
    }  # fmt: skip
    return Response(body, status=status.HTTP_201_CREATED)


def _enter(request, form, answers: dict, number: str, names: dict, field: str) -> Response:
    """Type the form in; the services' errors renamed to the API's field names (`field`.code)."""
    try:
        outcome = services.paper_ballot_enter(
            form=form, answers=answers, form_number=number, actor=request.user
        )
    except ValidationError as error:
        raise rename_errors(error, names, field) from None
    return _outcome(outcome)


class PaperPairwiseView(APIView):
    """Type in one expert's paper pairwise form (coordinator or data-entry assistant)."""

    permission_classes = PERMISSIONS

    @extend_schema(request=PaperPairwiseInSerializer, responses={201: PaperOutcomeSerializer})
    def post(self, request, evaluation_id: int):
        access = access_data_entry(user=request.user, evaluation_id=evaluation_id)
        serializer = PaperPairwiseInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = access_membership(
            evaluation=access.evaluation, membership_id=data["membership"]
        )
        parent = access_parent(membership=membership, parent_id=data["parent"])
        judgments, names = judgments_in(parent, data["judgments"])
        form = services.PaperForm(membership=membership, parent=parent)
        return _enter(request, form, judgments, data["form_number"], names, "judgments")


class PaperRatingsView(APIView):
    """Type in one expert's paper rating form of one subject."""

    permission_classes = PERMISSIONS

    @extend_schema(request=PaperRatingsInSerializer, responses={201: PaperOutcomeSerializer})
    def post(self, request, evaluation_id: int):
        access = access_data_entry(user=request.user, evaluation_id=evaluation_id)
        serializer = PaperRatingsInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = access_membership(
            evaluation=access.evaluation, membership_id=data["membership"]
        )
        subject = get_object_or_404(Subject, pk=data["subject"], evaluation=access.evaluation)
        ratings, names = ratings_in(access.evaluation, data["ratings"])
        form = services.PaperForm(membership=membership, subject=subject)
        return _enter(request, form, ratings, data["form_number"], names, "ratings")


class NamedExpertInSerializer(StrictInput, serializers.Serializer):
    name = serializers.CharField(
        max_length=NAME_LIMIT,
        validators=[NOT_BLANK],
        help_text="Required (not blank): how the panel knows them.",
    )
    organisation = serializers.CharField(
        max_length=NAME_LIMIT, required=False, allow_blank=True, default=""
    )


class NamedExpertView(APIView):
    """Add an expert known by name only (no e-mail, never invited): their answers are typed in
    from paper. The coordinator's only."""

    permission_classes = PERMISSIONS

    @extend_schema(
        request=NamedExpertInSerializer,
        responses={
            201: inline_serializer("NamedExpertAdded", {"membership": serializers.IntegerField()})
        },
    )
    def post(self, request, evaluation_id: int):
        access = access_data_entry(user=request.user, evaluation_id=evaluation_id)
        if not access.is_coordinator:
            raise PermissionDenied
        serializer = NamedExpertInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = roster.panel_add_named_expert(
            evaluation=access.evaluation, actor=request.user, **serializer.validated_data
        )
        return Response({"membership": membership.pk}, status=status.HTTP_201_CREATED)
