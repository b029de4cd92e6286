"""REST: the questionnaire as a file, an upload returning the preview, and the commit. The
same services and the same access rule as the pages (access.access_spreadsheets)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.parsers import BoundedJSONParser
from experts.authentication import TokenScope

from .access import access_member, access_spreadsheets, access_upload
from .models import SpreadsheetUpload
from .preview import upload_summary
from .services import upload_commit, upload_preview
from .views import XLSX, chosen_members, request_too_big, xlsx_response

PERMISSIONS = [IsAuthenticated, TokenScope]
ERROR_CHOICE = gettext_noop("Choose one of: %(choices)s.")
# Ids are BigAutoFields: a larger number is no id at all (and the schema says so).
MAX_ID = 2**63 - 1
ERROR_MEMBERSHIP_ID = gettext_noop(
    "Give a membership id: a whole number from 1 to %(limit)s, or leave it out for the blank "
    "questionnaire."
)


class QuestionnaireErrorSerializer(serializers.Serializer):
    file = serializers.CharField()
    sheet = serializers.CharField(help_text="Empty for an error of the whole file.")
    cell = serializers.CharField(help_text="Empty for an error of the whole sheet or file.")
    rule = serializers.CharField()


class QuestionnairePreviewSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Names this preview in the commit call.")
    mode = serializers.ChoiceField(SpreadsheetUpload.Mode.choices)
    expires_at = serializers.DateTimeField()
    files = serializers.ListField(
        child=serializers.DictField(),
        help_text="Per file: index, name, membership {id, name} (null for a blank "
        "questionnaire), respondent, suggested_member, forms (pairwise: sheet, parent, "
        "judgments, cr, consistent, threshold; rating: sheet, subject, ratings) and errors.",
    )
    error_count = serializers.IntegerField()
    correct_files = serializers.IntegerField()
    can_store = serializers.BooleanField()
    members = serializers.ListField(child=serializers.DictField())


class QuestionnaireUploadInSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), help_text="The .xlsx files.")
    mode = serializers.ChoiceField(
        SpreadsheetUpload.Mode.choices, default=SpreadsheetUpload.Mode.ALL_OR_NOTHING
    )


class QuestionnaireCommitInSerializer(serializers.Serializer):
    members = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text="For each blank questionnaire, by its file index: the membership id whose "
        'answers it holds, e.g. {"0": 12}.',
    )


class QuestionnaireCommitOutSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.CharField())
    ballots = serializers.IntegerField()
    errors = QuestionnaireErrorSerializer(many=True)


class QuestionnaireFileView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "membership",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                description="The panel member's id (pre-filled with their answers); "
                "left out: the blank questionnaire.",
            )
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request, evaluation_id: int):
        evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
        membership = None
        # Left out: the blank questionnaire. Given, even empty, it must be an id.
        asked = request.query_params.get("membership")
        if asked is not None:
            if not (asked.isascii() and asked.isdigit() and len(asked) <= 19) or (
                int(asked) > MAX_ID
            ):
                message = _(ERROR_MEMBERSHIP_ID) % {"limit": MAX_ID}
                raise serializers.ValidationError({"membership": message})
            membership = access_member(evaluation=evaluation, membership_id=int(asked))
        return xlsx_response(evaluation, membership)


class QuestionnaireUploadView(APIView):
    permission_classes = PERMISSIONS
    # Multipart for the files; the bounded JSON parser too, so that a JSON body gets the
    # API's usual 400 ("choose at least one file") rather than a 415.
    parser_classes = [MultiPartParser, BoundedJSONParser]

    @extend_schema(
        request={"multipart/form-data": QuestionnaireUploadInSerializer},
        responses={201: QuestionnairePreviewSerializer},
    )
    def post(self, request, evaluation_id: int):
        evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
        refusal = request_too_big(request)
        if refusal:
            return Response({"files": [refusal]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        # Left out: all or nothing; anything else but the two names (an empty one too) is
        # refused rather than read as the default.
        mode = request.data.get("mode", SpreadsheetUpload.Mode.ALL_OR_NOTHING)
        if mode not in SpreadsheetUpload.Mode.values:
            choices = ", ".join(SpreadsheetUpload.Mode.values)
            raise serializers.ValidationError({"mode": _(ERROR_CHOICE) % {"choices": choices}})
        try:
            found = upload_preview(
                evaluation=evaluation,
                user=request.user,
                files=request.FILES.getlist("files"),
                mode=mode,
            )
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return Response(QuestionnairePreviewSerializer(upload_summary(found)).data, status=201)


class QuestionnairePreviewView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=QuestionnairePreviewSerializer)
    def get(self, request, evaluation_id: int, token: str):
        evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
        found = access_upload(evaluation=evaluation, user=request.user, token=token)
        return Response(QuestionnairePreviewSerializer(upload_summary(found)).data)


class QuestionnaireCommitView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=QuestionnaireCommitInSerializer,
        responses={200: QuestionnaireCommitOutSerializer, 409: QuestionnaireCommitOutSerializer},
    )
    def post(self, request, evaluation_id: int, token: str):
        evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
        data = QuestionnaireCommitInSerializer(
            data=request.data
        )  # a malformed body: 400 before the 404
        data.is_valid(raise_exception=True)
        found = access_upload(evaluation=evaluation, user=request.user, token=token)
        members = chosen_members(data.validated_data["members"], len(found.files))
        try:
            stored = upload_commit(upload=found, user=request.user, members=members)
        except ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        body = QuestionnaireCommitOutSerializer(stored).data
        # Nothing stored (all or nothing with an error, or no correct file): a conflict with
        # the files' content, listed as on the page rather than as fields of the request.
        return Response(body, status=200 if stored.files else 409)
