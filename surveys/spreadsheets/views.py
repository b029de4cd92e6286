"""The coordinator's pages: download a questionnaire, upload filled ones, preview, store."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.csrf import csrf_exempt

from .access import access_member, access_spreadsheets, access_upload
from .models import SpreadsheetUpload
from .preview import upload_summary
from .questionnaire import questionnaire_build, questionnaire_filename
from .services import upload_commit, upload_preview

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The whole request, checked from its Content-Length before Django reads the body: a few
# questionnaires' worth (each well under reading.MAX_FILE_BYTES).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ERROR_REQUEST_TOO_BIG = gettext_noop(
    "The upload is larger than {limit} MB altogether: nothing was read. Upload fewer or "
    "smaller files (a questionnaire is well under 1 MB)."
)


def xlsx_response(evaluation, membership) -> HttpResponse:
    response = HttpResponse(
        questionnaire_build(evaluation=evaluation, membership=membership), content_type=XLSX
    )
    name = questionnaire_filename(evaluation, membership)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def questionnaire_download(
    request: HttpRequest, evaluation_id: int, membership_id: int | None = None
) -> HttpResponse:
    evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
    membership = None
    if membership_id is not None:
        membership = access_member(evaluation=evaluation, membership_id=membership_id)
    return xlsx_response(evaluation, membership)


def request_too_big(request: HttpRequest) -> str | None:
    """The refusal of an oversized upload, decided before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_UPLOAD_BYTES:
        return _(ERROR_REQUEST_TOO_BIG).format(limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    return None


# CSRF is checked inside, after the size check: the middleware's check reads the body (the
# token is a form field), and an oversized upload must be refused before anything is read.
@csrf_exempt
@login_required
def upload(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
    context = {"evaluation": evaluation, "modes": SpreadsheetUpload.Mode.choices, "errors": []}
    if request.method == "GET":
        return render(request, "surveys/spreadsheets/upload.html", context)
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    refusal = request_too_big(request)
    if refusal:
        request.upload_handlers = []  # the body is never parsed
        context["errors"] = [refusal]
        return render(request, "surveys/spreadsheets/upload.html", context, status=413)
    forbidden = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
    if forbidden is not None:
        return forbidden
    mode = request.POST.get("mode")
    if mode not in SpreadsheetUpload.Mode.values:
        mode = SpreadsheetUpload.Mode.ALL_OR_NOTHING
    try:
        found = upload_preview(
            evaluation=evaluation,
            user=request.user,
            files=request.FILES.getlist("files"),
            mode=mode,
        )
    except ValidationError as error:
        context["errors"] = error.messages
        return render(request, "surveys/spreadsheets/upload.html", context, status=400)
    return redirect("questionnaire-preview", evaluation_id=evaluation.pk, token=found.token)


def chosen_members(data, count: int) -> dict[int, int | None]:
    """The member chosen for each blank file, from fields member-<index> (ids, else None)."""
    chosen: dict[int, int | None] = {}
    for index in range(count):
        value = str(data.get(f"member-{index}") or "")
        chosen[index] = int(value) if value.isdigit() and len(value) <= 19 else None
    return chosen


@login_required
def preview(request: HttpRequest, evaluation_id: int, token: str) -> HttpResponse:
    """GET: what the upload will store; POST: store it."""
    evaluation = access_spreadsheets(user=request.user, evaluation_id=evaluation_id)
    found = access_upload(evaluation=evaluation, user=request.user, token=token)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    summary = upload_summary(found)
    context = {"evaluation": evaluation, "summary": summary, "commit_errors": []}
    if request.method == "GET":
        return render(request, "surveys/spreadsheets/preview.html", context)
    members = chosen_members(request.POST, len(found.files))
    try:
        stored = upload_commit(upload=found, user=request.user, members=members)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("questionnaire-upload", evaluation_id=evaluation.pk)
    if not stored.files:
        context["commit_errors"] = stored.errors
        context["chosen"] = members
        return render(request, "surveys/spreadsheets/preview.html", context, status=400)
    messages.success(
        request,
        ngettext(
            "Stored: %(ballots)s ballot submitted from %(files)s.",
            "Stored: %(ballots)s ballots submitted from %(files)s.",
            stored.ballots,
        )
        % {"ballots": stored.ballots, "files": ", ".join(stored.files)},
    )
    for error in stored.errors:
        where = " ".join(part for part in (error["sheet"], error["cell"]) if part)
        messages.error(
            request,
            _("Not stored: %(file)s%(where)s: %(rule)s")
            % {
                "file": error["file"],
                "where": f" ({where})" if where else "",
                "rule": error["rule"],
            },
        )
    return redirect("panel", evaluation_id=evaluation.pk)
