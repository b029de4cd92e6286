"""The exports in the REST API (DESIGN §4: /api/v1/evaluations/{id}/export/{fmt}/).

A file small enough to render now comes back directly (200, its own media type). A large
report answers 202 with its job (status, poll URL; a Location header to the same URL): the
poll answers the job's status, with a download URL once done, and never renders itself.
The schema states every format's media type, so a generated client returns the file's bytes.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import scoping
from ..api.views import HISTORY_PARAMETER, PERMISSIONS, VERSION_PARAMETER
from ..models import ExportJob
from ..views.results import snapshot_asked
from .delivery import export_deliver, job_file_response, job_status
from .formats import NAMES, REGISTRY, export_format
from .jobs import export_job_get

OCTET_STREAM = "application/octet-stream"
ERROR_CHOICE = gettext_noop("Choose one of: %(choices)s.")


class FilesIgnoreAccept(BaseContentNegotiation):
    """A file's media type is the format's, whatever the client's Accept says (a generated
    client may send none, or */*); JSON answers (the job, errors) use the JSON renderer."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


class ExportJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ExportJob.Status.choices)
    format = serializers.ChoiceField(choices=NAMES)
    version = serializers.IntegerField()
    history = serializers.BooleanField()
    poll = serializers.URLField(help_text="This job's status (GET it every second or two).")
    download = serializers.URLField(
        allow_null=True, help_text="The file, once the status is done; null before."
    )
    error = serializers.CharField(help_text="Why the job failed; empty otherwise.")
    queued_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def _file_responses(description: str) -> dict:
    """200 in each format's media type, and application/octet-stream for a client that asks
    for it (Accept), the files' bytes in every case. Clients that read a response by its
    first media type they know (openapi-python-client) read the bytes."""
    content = {(200, OCTET_STREAM): OpenApiTypes.BINARY}
    for fmt in REGISTRY.values():
        media_type = fmt.content_type.split(";")[0]
        schema = OpenApiTypes.OBJECT if media_type == "application/json" else OpenApiTypes.BINARY
        content[(200, media_type)] = schema
    return {
        key: OpenApiResponse(schema, description=description) for key, schema in content.items()
    }


FORMAT_PARAMETER = OpenApiParameter(
    "fmt", str, OpenApiParameter.PATH, enum=list(NAMES), description="The file's format."
)
EXPERTS_PARAMETER = OpenApiParameter(
    "experts",
    int,
    enum=[0, 1],
    description=(
        "JSON only. 1: each expert's own weights and CR per matrix (`per_expert`) for a panel "
        "of any size; left out or 0, for a panel of at most 25 experts (a larger one's "
        "export says `per_expert_omitted: true`: a thousand experts' figures are about 16 MB)."
    ),
)
JOB_PARAMETER = OpenApiParameter("job_id", int, OpenApiParameter.PATH, description="The job.")


def _as_asked(response, request):
    """The file as application/octet-stream when that is what the client accepts."""
    accepted = request.META.get("HTTP_ACCEPT", "")
    if OCTET_STREAM in accepted and response["Content-Type"].split(";")[0] not in accepted:
        response["Content-Type"] = OCTET_STREAM
    return response


def _history_asked(request) -> bool:
    return _flag_asked(request, "history")


def _flag_asked(request, name: str) -> bool:
    """?name= is 0 or 1, or left out (0); anything else is refused, not read as 0."""
    asked = request.query_params.get(name)
    if asked not in (None, "0", "1"):
        raise serializers.ValidationError({name: _(ERROR_CHOICE) % {"choices": "0, 1"}})
    return asked == "1"


def _status(request, job: ExportJob) -> dict:
    args = {"evaluation_id": job.evaluation_id, "job_id": job.pk}
    return job_status(
        job,
        poll=request.build_absolute_uri(reverse("v1:export-job", kwargs=args)),
        download=request.build_absolute_uri(reverse("v1:export-job-file", kwargs=args)),
    )


class ExportView(APIView):
    """The results as a file: CSV (UTF-8 with BOM), XLSX (one sheet per table), JSON, or the
    PDF or Word report. A large report is prepared in the background: 202 with the job to
    poll (`Location` is its status URL)."""

    permission_classes = PERMISSIONS
    content_negotiation_class = FilesIgnoreAccept

    @extend_schema(
        operation_id="evaluations_export",
        parameters=[FORMAT_PARAMETER, VERSION_PARAMETER, HISTORY_PARAMETER, EXPERTS_PARAMETER],
        responses={
            **_file_responses("The file."),
            (202, "application/json"): OpenApiResponse(
                ExportJobSerializer, description="A large report: being prepared; poll `poll`."
            ),
        },
    )
    def get(self, request, evaluation_id: int, fmt: str):
        evaluation = scoping.results_readable(request.user).filter(pk=evaluation_id).first()
        chosen = export_format(fmt)
        if evaluation is None or chosen is None:
            raise Http404
        snapshot = snapshot_asked(request, evaluation)
        if snapshot is None:
            raise Http404
        answer = export_deliver(
            evaluation=evaluation,
            snapshot=snapshot,
            user=request.user,
            fmt=chosen,
            history=_history_asked(request),
            experts=_flag_asked(request, "experts"),
        )
        if not isinstance(answer, ExportJob):
            return _as_asked(answer, request)
        body = _status(request, answer)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["poll"]})


def _job(request, evaluation_id: int, job_id: int) -> ExportJob:
    evaluation = scoping.results_readable(request.user).filter(pk=evaluation_id).first()
    if evaluation is None:
        raise Http404
    return export_job_get(evaluation=evaluation, user=request.user, job_id=job_id)


class ExportJobView(APIView):
    """An export job's status: queued, running, done (with the download URL) or failed (with
    the reason). Only who asked for the file, and the evaluation's coordinator, see it."""

    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="evaluations_export_job",
        parameters=[JOB_PARAMETER],
        responses={200: ExportJobSerializer},
    )
    def get(self, request, evaluation_id: int, job_id: int):
        return Response(_status(request, _job(request, evaluation_id, job_id)))


class ExportJobFileView(APIView):
    """A finished export job's file (409 with the job's status while it is not done)."""

    permission_classes = PERMISSIONS
    content_negotiation_class = FilesIgnoreAccept

    @extend_schema(
        operation_id="evaluations_export_job_file",
        parameters=[JOB_PARAMETER],
        responses={
            **_file_responses("The job's file."),
            (409, "application/json"): OpenApiResponse(
                ExportJobSerializer, description="Not done yet, or failed: the job's status."
            ),
        },
    )
    def get(self, request, evaluation_id: int, job_id: int):
        job = _job(request, evaluation_id, job_id)
        if job.status != ExportJob.Status.DONE:
            return Response(_status(request, job), status=status.HTTP_409_CONFLICT)
        return _as_asked(job_file_response(job), request)
