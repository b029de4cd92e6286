"""The respondents' pages of a screening survey: an invited expert's questionnaire of the open
round (from round 2 on with the group's answers of the round before and their own), and the
public questionnaire behind a survey's open link.

Both are plain HTML forms (Save draft / Submit) read by the same form reader and saved by the
same service (responses.response_save) as the API's; a script only shows the reason boxes
when an answer changes (static/js/screening_respond.js). A refused post answers 400 with the
form as it was sent and every error next to its field; nothing is saved.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.caching import NOT_STORED
from experts.addresses import client_ip
from experts.selectors import hash_token
from surveys.models import Channel

from .answers import answers_from_form, questionnaire
from .forms_respond import (
    Feedback,
    distribution_chart,
    sheet,
    values_from_post,
    values_from_response,
)
from .limits import OTHER_TEXT_LIMIT, REASON_LIMIT, SUGGESTION_LIMIT
from .models import ScreeningQuestion, ScreeningResponse, ScreeningRound, ScreeningSurvey
from .responses import (
    ERROR_LINK_UNKNOWN,
    OPEN_TOKEN_LIMIT,
    OpenLinkFlooded,
    OpenLinkUnusable,
    previous_answers,
    response_for_expert,
    response_for_open_link,
    response_save,
)
from .selectors import round_items, round_latest, survey_for_expert
from .statistics import round_statistics

Kind = ScreeningQuestion.Kind
OPEN = ScreeningRound.Status.OPEN
SUBMITTED = ScreeningResponse.Status.SUBMITTED
# The text boxes' maxlength: the services' limits, so a browser stops typing where they refuse.
LIMITS = {"other": OTHER_TEXT_LIMIT, "reason": REASON_LIMIT, "suggestion": SUGGESTION_LIMIT}


# --- The expert's questionnaire ----------------------------------------------------------


@login_required
def respond(request: HttpRequest, evaluation_id: int, survey_id: int) -> HttpResponse:
    """The survey's latest round: its form while it is open, its answers read-only after."""
    survey, membership = survey_for_expert(user=request.user, survey_id=survey_id)
    if survey.evaluation_id != evaluation_id:
        raise Http404
    round = round_latest(survey=survey)
    if request.method == "POST" and round is not None:
        return _expert_post(request, survey, round, membership)
    response = None
    if round is not None and round.status == OPEN:
        try:  # the clock of the least answering time starts when the form is first shown
            response = response_for_expert(round=round, membership=membership)
        except ValidationError:  # revoked since the access check a moment ago
            raise Http404 from None
    elif round is not None:
        response = ScreeningResponse.objects.filter(round=round, membership=membership).first()
    values = _stored_values(response)
    prefilled = _prefill(round, response)
    values.update(prefilled)
    return _expert_page(request, survey, round, response, values, {}, prefilled=bool(prefilled))


def _expert_post(request, survey, round, membership) -> HttpResponse:
    submit = request.POST.get("action") == "submit"
    form = _questionnaire(survey, round, expert=True)
    response = None
    try:
        parsed = answers_from_form(request.POST, form)
        response = response_for_expert(round=round, membership=membership)
        response_save(
            response=response,
            answers=parsed.answers,
            reasons=parsed.reasons,
            authority=parsed.authority,
            submit=submit,
            channel=Channel.PAGE,
        )
    except ValidationError as error:
        round.refresh_from_db()
        values = values_from_post(request.POST)
        if round.status != OPEN:  # what counts is what was submitted before it closed
            response = ScreeningResponse.objects.filter(round=round, membership=membership)
            response = response.first()
            values = _stored_values(response)
        errors = error.message_dict
        return _expert_page(request, survey, round, response, values, errors, status=400)
    if submit:
        messages.success(
            request,
            _(
                "Your answers are submitted. You may change them and submit again until the "
                "round closes."
            ),
        )
    else:
        messages.success(request, _("Draft saved."))
    return redirect("screening-respond", evaluation_id=survey.evaluation_id, survey_id=survey.pk)


def _prefill(round: ScreeningRound | None, response: ScreeningResponse | None) -> dict:
    """A new response of round 2 or later starts from the expert's submitted answers of the
    round before, shown in the form (not saved): keeping an answer is then no work, and
    changing one is a deliberate act (Delphi's "keep or change")."""
    if round is None or round.status != OPEN or response is None:
        return {}
    if response.status == SUBMITTED or response.answers:
        return {}
    previous = previous_answers(response=response)
    if not previous:
        return {}
    asked = {item.pk for item in round_items(round=round)}
    # The self-rating too, unless this round's draft holds one: it is asked every round.
    authority = response.authority or _previous_authority(round, response)
    return values_from_response(previous, {}, authority, asked=asked)


def _previous_authority(round: ScreeningRound, response: ScreeningResponse) -> dict:
    found = ScreeningResponse.objects.filter(
        round__survey_id=round.survey_id,
        round__number=round.number - 1,
        membership_id=response.membership_id,
        status=SUBMITTED,
    ).values_list("authority", flat=True)
    return found.first() or {}


def _expert_page(
    request, survey, round, response, values, errors, status=200, prefilled=False
) -> HttpResponse:
    context = {
        "survey": survey,
        "evaluation": survey.evaluation,
        "round": round,
        "limits": LIMITS,
        "prefilled": prefilled,
    }
    if round is not None:
        previous = previous_answers(response=response) if response is not None else None
        readonly = round.status != OPEN
        context.update(
            response=response,
            readonly=readonly,
            sheet=sheet(
                questions=list(survey.questions.all()),
                items=list(round_items(round=round)),
                values=values,
                errors=errors,
                round_number=round.number,
                authority=survey.ask_authority,
                previous=previous,
                feedback=_feedback(round, previous),
                reason_required=survey.reason_required and not readonly,
            ),
        )
    return render(request, "screening/respond.html", context, status=status)


def _stored_values(response: ScreeningResponse | None) -> dict:
    if response is None:
        return {}
    return values_from_response(response.answers, response.reasons, response.authority)


def _questionnaire(survey: ScreeningSurvey, round: ScreeningRound, *, expert: bool):
    """What the form reader reads: the round's items, the self-rating for experts only (as
    the service asks them)."""
    return questionnaire(
        list(survey.questions.all()),
        list(round_items(round=round)),
        round_number=round.number,
        authority=survey.ask_authority and expert,
    )


def _feedback(round: ScreeningRound, previous: dict | None) -> dict[int, Feedback]:
    """The group's answers of the round before, per rating and ranking item: median, IQR and
    the count per level (or per place), with the expert's own previous answer marked."""
    if round.number == 1:
        return {}
    before = ScreeningRound.objects.filter(survey_id=round.survey_id, number=round.number - 1)
    before = before.first()
    if before is None:
        return {}
    figures = round_statistics(round=before)
    feedback = {}
    for question in figures.questions:
        for item in getattr(question, "items", ()):
            feedback[item.item_id] = Feedback(
                median=item.median,
                iqr=item.iqr,
                valid=item.valid,
                chart=_chart(
                    item,
                    _own(previous, question.question_id, item.item_id),
                    ranking=question.kind == Kind.RANKING,
                ),
            )
    return feedback


def _own(previous: dict | None, question_id: int, item_id: int) -> str | None:
    """The expert's previous level, or place, of the item, as the chart labels it."""
    answer = (previous or {}).get(str(question_id)) or {}
    if "order" in answer:
        order = answer["order"]
        return str(order.index(item_id) + 1) if item_id in order else None
    level = answer.get(str(item_id))
    return str(level) if level is not None else None


def _chart(item, marked: str | None, *, ranking: bool) -> str:
    counts = [(str(value), count) for value, count in enumerate(item.distribution, start=1)]
    if ranking:
        title = _("The places the group gave “{item}” in the round before").format(item=item.name)
    else:
        title = _("How the group rated “{item}” in the round before").format(item=item.name)
    return distribution_chart(
        counts, chart_id=f"distribution-{item.item_id}", title=title, marked=marked
    )


# --- The open link --------------------------------------------------------------------------


def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The public questionnaire: no sign-in, one response per browser session and round.

    The rule is one response per browser *session*: the respondent is known only by a hash of
    the session key, so a visitor who clears their cookies, or opens a private window, starts
    a new response. The per-address hourly limit (responses.OPEN_LINK_RESPONSES_PER_ADDRESS_
    HOUR) is what bounds that; the validity rules (answering time, attention question) mark
    careless answers. The token in the address is a credential: no cache keeps these pages."""
    page = _open_link(request, token)
    page["Cache-Control"] = NOT_STORED
    return page


def _open_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = _survey_for_token(token)
        response = response_for_open_link(
            survey=survey,
            token=token,
            respondent_key=_respondent_key(request),
            address=client_ip(request),
        )
    except OpenLinkFlooded as error:
        page = _unusable(request, "flooded", error.message, 429)
        page["Retry-After"] = str(error.retry_after)
        return page
    except OpenLinkUnusable as error:
        return _unusable(request, error.reason, error.message, error.status)
    if response.status == SUBMITTED:  # one response per session: it is in
        return render(request, "screening/respond_thanks.html", {"survey": survey})
    round = response.round
    if request.method != "POST":
        return _open_page(request, survey, round, response, _stored_values(response), {})
    submit = request.POST.get("action") == "submit"
    try:
        parsed = answers_from_form(request.POST, _questionnaire(survey, round, expert=False))
        response_save(
            response=response,
            answers=parsed.answers,
            reasons=parsed.reasons,
            authority=parsed.authority,
            submit=submit,
            channel=Channel.PAGE,
        )
    except ValidationError as error:
        values = values_from_post(request.POST)
        return _open_page(request, survey, round, response, values, error.message_dict, 400)
    if not submit:
        messages.success(request, _("Draft saved."))
    # The same address: a submitted response shows the thank-you page from now on.
    return redirect(request.path)


def _survey_for_token(token: str) -> ScreeningSurvey:
    """The survey whose open link this is (the service checks the token again, in constant
    time); a token no survey has, or of a link switched off, leads nowhere."""
    survey = None
    if len(token) <= OPEN_TOKEN_LIMIT:
        survey = ScreeningSurvey.objects.filter(
            open_link_enabled=True, open_token_hash=hash_token(token)
        ).first()
    if survey is None:
        raise OpenLinkUnusable(reason="unknown", message=_(ERROR_LINK_UNKNOWN), status=404)
    return survey


def _respondent_key(request: HttpRequest) -> str:
    """The browser session's key, hashed (the database never holds a key to replay).

    Reading the session first makes Django drop a key its store does not know (a forged or
    expired cookie), so only a key the server issued names a respondent; a visitor without
    one gets a new session here."""
    session = request.session
    if not session.get("screening_open_link"):
        session["screening_open_link"] = True
        session.save()
    return hashlib.sha256(session.session_key.encode()).hexdigest()


def _open_page(request, survey, round, response, values, errors, status=200) -> HttpResponse:
    context = {
        "survey": survey,
        "evaluation": survey.evaluation,
        "round": round,
        "response": response,
        "readonly": False,
        "open_link": True,
        "limits": LIMITS,
        # No self-rating, no reasons and no group feedback: an anonymous visitor is not
        # followed across rounds, and the panel's figures are the panel's.
        "sheet": sheet(
            questions=list(survey.questions.all()),
            items=list(round_items(round=round)),
            values=values,
            errors=errors,
            round_number=round.number,
            authority=False,
        ),
    }
    return render(request, "screening/respond_open.html", context, status=status)


def _unusable(request, reason: str, message: str, status: int) -> HttpResponse:
    context = {"reason": reason, "message": message}
    return render(request, "screening/respond_unusable.html", context, status=status)
