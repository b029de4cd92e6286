"""API routes: /api/v1/… (the versioned API), and the unversioned results alias of DESIGN §4."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from evaluations.api.views import EvaluationViewSet, ResultsView
from evaluations.direct_membership.api import LeafInputsView, LeafSourceView
from evaluations.exports.api import ExportJobFileView, ExportJobView, ExportView
from evaluations.given_weights.api import GivenWeightsView
from experts.api import TokenLoginView
from experts.criterion_weights_api import ExpertWeightsView
from surveys.api import (
    PairwiseBallotView,
    PairwiseWithdrawView,
    PanelListView,
    RatingBallotView,
    RatingWithdrawView,
)
from surveys.paper.api import NamedExpertView, PaperPairwiseView, PaperRatingsView
from surveys.paper.api_assistants import (
    AssistantInvitationResendView,
    AssistantInvitationView,
    AssistantsView,
    AssistantView,
)

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only; no ".json" twin of every route
router.register("evaluations", EvaluationViewSet, basename="evaluation")

EVALUATION = "evaluations/<int:evaluation_id>/"
PANEL = "panels/<int:evaluation_id>/"

v1 = [
    path("token/", TokenLoginView.as_view(), name="token"),
    path(f"{EVALUATION}results/", ResultsView.as_view(), name="results"),
    path(f"{EVALUATION}export/<str:fmt>/", ExportView.as_view(), name="export"),
    path(f"{EVALUATION}export/jobs/<int:job_id>/", ExportJobView.as_view(), name="export-job"),
    path(
        f"{EVALUATION}export/jobs/<int:job_id>/file/",
        ExportJobFileView.as_view(),
        name="export-job-file",
    ),
    path(
        f"{EVALUATION}leaves/<int:indicator_id>/membership/",
        LeafSourceView.as_view(),
        name="leaf-membership",
    ),
    path(
        f"{EVALUATION}leaves/<int:indicator_id>/inputs/",
        LeafInputsView.as_view(),
        name="leaf-inputs",
    ),
    path(
        f"{EVALUATION}indicators/<int:indicator_id>/given-weights/",
        GivenWeightsView.as_view(),
        name="given-weights",
    ),
    path(
        f"{EVALUATION}experts/<int:membership_id>/weights/",
        ExpertWeightsView.as_view(),
        name="expert-weights",
    ),
    # Paper ballots typed in by the coordinator or a data-entry assistant (surveys/paper/).
    path(f"{EVALUATION}paper/pairwise/", PaperPairwiseView.as_view(), name="paper-pairwise"),
    path(f"{EVALUATION}paper/ratings/", PaperRatingsView.as_view(), name="paper-ratings"),
    path(f"{EVALUATION}experts/named/", NamedExpertView.as_view(), name="experts-named"),
    path(f"{EVALUATION}paper/assistants/", AssistantsView.as_view(), name="paper-assistants"),
    path(
        f"{EVALUATION}paper/assistants/<int:assistant_id>/",
        AssistantView.as_view(),
        name="paper-assistant",
    ),
    path(
        f"{EVALUATION}paper/assistant-invitations/<int:invitation_id>/",
        AssistantInvitationView.as_view(),
        name="paper-assistant-invitation",
    ),
    path(
        f"{EVALUATION}paper/assistant-invitations/<int:invitation_id>/resend/",
        AssistantInvitationResendView.as_view(),
        name="paper-assistant-invitation-resend",
    ),
    path("panels/", PanelListView.as_view(), name="panel-list"),
    path(f"{PANEL}pairwise/<int:parent_id>/", PairwiseBallotView.as_view(), name="pairwise"),
    path(f"{PANEL}ratings/<int:subject_id>/", RatingBallotView.as_view(), name="ratings"),
    path(
        f"{PANEL}pairwise/<int:parent_id>/withdraw/",
        PairwiseWithdrawView.as_view(),
        name="pairwise-withdraw",
    ),
    path(
        f"{PANEL}ratings/<int:subject_id>/withdraw/",
        RatingWithdrawView.as_view(),
        name="ratings-withdraw",
    ),
    path("", include("surveys.screening.api.urls")),
    path("", include("surveys.spreadsheets.urls_api")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    # DESIGN §4's address; the same view as /api/v1/evaluations/{id}/results/.
    path(f"{EVALUATION}results/", ResultsView.as_view(), name="api-results"),
]
