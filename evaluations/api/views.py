"""REST endpoints for coordinators (evaluations, hierarchy, panel, experts, results; the
exports are evaluations/exports/api.py).

Querysets come from scoping.py; writes go through the same services as the HTML forms.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from experts.authentication import TokenScope
from experts.criterion_weights import effective_criterion_weights, first_level_criteria
from experts.revocation import invitation_restore, invitation_revoke
from experts.selectors import PanelFigures, access_membership, panel_overview, revocation_effect
from experts.services import invitation_resend, panel_add_experts, site_url

from ..models import Evaluation, Indicator
from ..results_selectors import results_data_for, results_status
from ..robustness.reading import with_robustness
from ..robustness.schema import ResultsDataSerializer
from ..services import (
    evaluation_create_blank,
    evaluation_create_from_template,
    evaluation_transition,
    evaluation_update_settings,
)
from ..services.lifecycle import SettingsConflict
from ..views.results import MAX_VERSION, snapshot_asked
from . import scoping
from .conflicts import CONFLICT_RESPONSE, state_conflicts
from .serializers import (
    EvaluationCreateSerializer,
    EvaluationDetailSerializer,
    EvaluationListSerializer,
    EvaluationSettingsSerializer,
    ExpertRevokeSerializer,
    ExpertsAddSerializer,
    TransitionSerializer,
)

PERMISSIONS = [IsAuthenticated, TokenScope]
ERROR_STATUS = gettext_noop("Filter by one of: %(choices)s.")
ERROR_SEARCH_TOO_LONG = gettext_noop("Search for at most %(limit)d characters (a title's length).")
ERROR_SEARCH_NUL = gettext_noop("Null characters are not allowed.")
VERSION_PARAMETER = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 0, "maximum": MAX_VERSION},
    description="A snapshot version; the latest when left out.",
)
HISTORY_PARAMETER = OpenApiParameter(
    "history",
    int,
    enum=[0, 1],
    description=(
        "1: add every submission and withdrawal of the experts' ballots (a History sheet; "
        "a `history` list in JSON). The coordinator's exports only."
    ),
)
FIGURES = inline_serializer(
    "PanelFigures",
    {
        "sent": serializers.IntegerField(),
        "submitted": serializers.IntegerField(),
        "valid": serializers.IntegerField(),
        "response_rate": serializers.FloatField(allow_null=True),
        "valid_rate": serializers.FloatField(allow_null=True),
        "summary": serializers.CharField(),
    },
)
BALLOTS = inline_serializer(
    "BallotCounts", {"pairwise": serializers.IntegerField(), "ratings": serializers.IntegerField()}
)


class EvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Evaluations the caller coordinates. Filters: `?status=draft|open|closed`, `?search=`."""

    permission_classes = PERMISSIONS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Evaluation.objects.none()
        queryset = scoping.coordinated(self.request.user).order_by("-created_at", "-pk")
        if self.action == "list":
            wanted = self.request.query_params.get("status")
            if wanted is not None:
                if wanted not in Evaluation.Status.values:
                    choices = ", ".join(Evaluation.Status.values)
                    raise ValidationError(
                        {
                            "status": [
                                ErrorDetail(
                                    _(ERROR_STATUS) % {"choices": choices}, "invalid_choice"
                                )
                            ]
                        }
                    )
                queryset = queryset.filter(status=wanted)
            # As sent (the schema's maxLength counts the raw text), then without edge spaces.
            search = self.request.query_params.get("search", "")
            limit = Evaluation._meta.get_field("title").max_length
            if len(search) > limit:  # no title holds it; refused before the database reads it
                message = _(ERROR_SEARCH_TOO_LONG) % {"limit": limit}
                raise ValidationError({"search": [ErrorDetail(message, "max_length")]})
            if "\x00" in search:  # no title holds one, and PostgreSQL refuses it in a query
                message = _(ERROR_SEARCH_NUL)
                raise ValidationError(
                    {"search": [ErrorDetail(message, "null_characters_not_allowed")]}
                )
            search = search.strip()
            if search:
                queryset = queryset.filter(title__icontains=search)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.select_related("parent")),
                "grades",
                "subjects",
            )
        return queryset

    def get_serializer_class(self):
        return {
            "list": EvaluationListSerializer,
            "create": EvaluationCreateSerializer,
            "update": EvaluationSettingsSerializer,
            "partial_update": EvaluationSettingsSerializer,
            "transition": TransitionSerializer,
            "experts": ExpertsAddSerializer,
        }.get(self.action, EvaluationDetailSerializer)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["draft", "open", "closed"]),
            # The schema states both rules the view enforces: at most 200 characters, no NUL.
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"},
                description="Part of the title (at most 200 characters, no null character).",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, evaluation: Evaluation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=evaluation.pk).first() or evaluation
        return Response(EvaluationDetailSerializer(fresh).data, status=code)

    @extend_schema(responses={201: EvaluationDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = EvaluationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["template"]:
            evaluation = evaluation_create_from_template(
                owner=request.user,
                template_key=data["template"],
                subjects=data["subjects"],
                title=data["title"],
                language=data["language"],
            )
        else:
            evaluation = evaluation_create_blank(
                owner=request.user,
                title=data["title"],
                subjects=data["subjects"],
                language=data["language"],
            )
        self.action = "retrieve"
        return self._detail(evaluation, status.HTTP_201_CREATED)

    @extend_schema(responses={200: EvaluationDetailSerializer, 409: CONFLICT_RESPONSE})
    def update(self, request, *args, **kwargs):
        """Change settings. 409 when the stored data does not allow a setting now: a judgment
        scale narrower than values the panel's ballots hold."""
        evaluation = self.get_object()
        serializer = EvaluationSettingsSerializer(
            evaluation, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        with state_conflicts(only=SettingsConflict):
            evaluation_update_settings(
                evaluation=evaluation, actor=request.user, **serializer.validated_data
            )
        self.action = "retrieve"
        return self._detail(evaluation)

    @extend_schema(responses={200: EvaluationDetailSerializer, 409: CONFLICT_RESPONSE})
    def partial_update(self, request, *args, **kwargs):
        """Change some settings (as PUT, the others kept)."""
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={200: EvaluationDetailSerializer, 409: CONFLICT_RESPONSE})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Open, close or reopen the panel (closing stops ballot edits). 409 when the panel's
        status does not allow the action (opening an open panel, reopening one not closed) or
        the evaluation is not ready to open."""
        evaluation = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with state_conflicts():
            evaluation_transition(
                evaluation=evaluation,
                actor=request.user,
                action=serializer.validated_data["action"],
            )
        self.action = "retrieve"
        return self._detail(evaluation)

    @extend_schema(
        parameters=[VERSION_PARAMETER],
        responses=inline_serializer(
            "Hierarchy",
            {
                "version": serializers.IntegerField(allow_null=True),
                "root": serializers.DictField(),
            },
        ),
    )
    @action(detail=True)
    def hierarchy(self, request, pk=None):
        """The indicator tree, nested, with each indicator's local and global weight and rank
        in the latest snapshot (null before the first results)."""
        evaluation = self.get_object()
        snapshot = snapshot_asked(request, evaluation)
        rows = {row["code"]: row for row in (snapshot.data["indicators"] if snapshot else [])}
        nodes = {}
        root = None
        indicators = list(evaluation.indicators.order_by("order", "pk"))
        for indicator in indicators:
            row = rows.get(indicator.code, {})
            nodes[indicator.pk] = {
                "id": indicator.pk,
                "code": indicator.code,
                "name": indicator.name,
                "description": indicator.description,
                "recommendation": indicator.recommendation,
                "given_weights": indicator.given_weights,
                "given_weights_source": indicator.given_weights_source,
                "local_weight": row.get("local_weight"),
                "global_weight": row.get("global_weight"),
                "rank": row.get("rank"),
                "children": [],
            }
        for indicator in indicators:
            if indicator.parent_id is None:
                root = nodes[indicator.pk]
            else:
                nodes[indicator.parent_id]["children"].append(nodes[indicator.pk])
        return Response({"version": snapshot.version if snapshot else None, "root": root})

    @extend_schema(
        responses=inline_serializer(
            "PanelStatus",
            {
                "figures": serializers.DictField(),
                "stages": serializers.DictField(),
                "experts": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=True)
    def panel(self, request, pk=None):
        """Response figures as the paper reports them, and each expert's progress."""
        evaluation = self.get_object()
        overview = panel_overview(evaluation=evaluation)
        criteria = first_level_criteria(evaluation)

        def criteria_of(membership):
            return effective_criterion_weights(membership, criteria)

        return Response(
            {
                "figures": _figures(overview.figures),
                "stages": {stage.value: count for stage, count in overview.stage_counts},
                "experts": [
                    {
                        "membership": row.membership.pk,
                        "email": row.membership.email,
                        "name": row.membership.name,
                        "organisation": row.membership.organisation,
                        "weight": row.membership.weight,
                        # {criterion code: weight}; …/experts/{membership}/weights/ sets them.
                        "criterion_weights": criteria_of(row.membership),
                        "stage": row.stage.value,
                        # Revoked, with the submitted answers still in the results.
                        "answers_kept": row.answers_kept,
                        "pairwise_submitted": row.pairwise_submitted,
                        "pairwise_required": overview.requirements.pairwise,
                        "ratings_submitted": row.ratings_submitted,
                        "ratings_required": overview.requirements.ratings,
                        "last_activity_at": row.last_activity_at,
                    }
                    for row in overview.rows
                ],
            }
        )

    @extend_schema(
        request=ExpertsAddSerializer,
        responses={201: inline_serializer("ExpertsAdded", {"added": serializers.IntegerField()})},
    )
    @action(detail=True, methods=["post"])
    def experts(self, request, pk=None):
        """Add experts and e-mail their invitations (all or nothing; errors name the line)."""
        evaluation = self.get_object()
        serializer = ExpertsAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            links = panel_add_experts(
                evaluation=evaluation,
                actor=request.user,
                text=serializer.validated_data["experts"],
                base_url=site_url(),
            )
        except DjangoValidationError as error:
            # The service names the pasted text "text", as the panel page's form field.
            if hasattr(error, "error_dict") and "text" in error.error_dict:
                error.error_dict["experts"] = error.error_dict.pop("text")
            raise
        # The links carry the invitation tokens: they go by e-mail only, never in a response.
        return Response({"added": len(links)}, status=status.HTTP_201_CREATED)

    def _membership(self, membership_id: str):
        return access_membership(evaluation=self.get_object(), membership_id=int(membership_id))

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("InvitationSent", {"stage": serializers.CharField()}),
            409: CONFLICT_RESPONSE,
        },
    )
    @action(
        detail=True, methods=["post"], url_path=r"experts/(?P<membership_id>[0-9]{1,18})/resend"
    )
    def resend(self, request, pk=None, membership_id=None):
        """E-mail the expert a new link (the old one stops working) with a renewed expiry. 409
        when the invitation cannot be sent again (answered, revoked)."""
        membership = self._membership(membership_id)
        with state_conflicts():
            invitation_resend(membership=membership, actor=request.user, base_url=site_url())
        return Response({"stage": "invited"})

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=inline_serializer(
            "RevocationPreview",
            {
                "membership": serializers.IntegerField(),
                "stage": serializers.CharField(),
                "ballots": BALLOTS,
                "figures": inline_serializer(
                    "RevocationPreviewFigures",
                    {"before": FIGURES, "if_left_out": FIGURES, "if_kept": FIGURES},
                ),
            },
        ),
        description="What revoking the expert would do: their submitted ballots (which leave "
        "the results unless kept) and the response figures now, if their answers are left "
        "out, and if they are kept. Changes nothing.",
    )
    @extend_schema(
        methods=["POST"],
        request=ExpertRevokeSerializer,
        responses={
            200: inline_serializer(
                "InvitationRevoked",
                {
                    "stage": serializers.CharField(),
                    "answers_kept": serializers.BooleanField(),
                    "ballots": BALLOTS,
                    "ballots_leaving_results": BALLOTS,
                    "figures": inline_serializer(
                        "RevocationFigures", {"before": FIGURES, "after": FIGURES}
                    ),
                },
            ),
            409: CONFLICT_RESPONSE,
        },
        description="Revoke the expert's invitation: the link stops working and their "
        "submitted ballots leave the results (recomputed) unless `keep_answers`. The ballots "
        "are kept stored; `…/restore/` undoes the revocation.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"experts/(?P<membership_id>[0-9]{1,18})/revoke",
    )
    def revoke(self, request, pk=None, membership_id=None):
        membership = self._membership(membership_id)
        if request.method == "GET":
            effect = revocation_effect(evaluation=membership.evaluation, membership=membership)
            return Response(
                {
                    "membership": membership.pk,
                    "stage": effect.row.stage.value,
                    "ballots": {"pairwise": effect.pairwise, "ratings": effect.ratings},
                    "figures": {
                        "before": _figures(effect.before),
                        "if_left_out": _figures(effect.if_left_out),
                        "if_kept": _figures(effect.if_kept),
                    },
                }
            )
        serializer = ExpertRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with state_conflicts():
            revocation = invitation_revoke(
                membership=membership,
                actor=request.user,
                keep_answers=serializer.validated_data["keep_answers"],
            )
        effect = revocation.effect
        ballots = {"pairwise": effect.pairwise, "ratings": effect.ratings}
        leaving = ballots if revocation.results_changed else {"pairwise": 0, "ratings": 0}
        return Response(
            {
                "stage": "revoked",
                "answers_kept": revocation.answers_kept,
                "ballots": ballots,
                "ballots_leaving_results": leaving,
                "figures": {
                    "before": _figures(effect.before),
                    "after": _figures(revocation.figures_after),
                },
            }
        )

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "RevocationUndone",
                {
                    "stage": serializers.CharField(),
                    "ballots_returned": BALLOTS,
                    "new_link_needed": serializers.BooleanField(),
                    "figures": FIGURES,
                },
            ),
            409: CONFLICT_RESPONSE,
        },
    )
    @action(
        detail=True, methods=["post"], url_path=r"experts/(?P<membership_id>[0-9]{1,18})/restore"
    )
    def restore(self, request, pk=None, membership_id=None):
        """Undo a revocation: the invitation returns to its earlier status and the expert's
        submitted ballots count again (results recomputed). The revoked link stays dead: an
        invitation not yet answered needs `…/resend/` (`new_link_needed`)."""
        membership = self._membership(membership_id)
        with state_conflicts():
            restoration = invitation_restore(membership=membership, actor=request.user)
        overview = panel_overview(evaluation=membership.evaluation)
        return Response(
            {
                "stage": overview.row_of(membership).stage.value,
                "ballots_returned": {
                    "pairwise": restoration.pairwise,
                    "ratings": restoration.ratings,
                },
                "new_link_needed": restoration.needs_new_link,
                "figures": _figures(overview.figures),
            }
        )


def _figures(figures: PanelFigures) -> dict:
    return {
        "sent": figures.sent,
        "submitted": figures.submitted,
        "valid": figures.valid,
        "response_rate": _rate(figures.response_rate),
        "valid_rate": _rate(figures.valid_rate),
        "summary": figures.summary,
    }


def _rate(rate) -> float | None:
    return None if rate is None else float(rate)


class ResultsView(APIView):
    """An evaluation's results: the latest snapshot, or `?version=N`.

    For its coordinator, and for its experts when the coordinator shares the results (experts
    then see each other as "Expert 1", "Expert 2"…). `status` says whether newer ballots are
    being computed. `results.robustness` holds the flip points at every node and, once the
    analysis task has run, the simulations (`simulation.status` says whether they are being
    computed); the experts' agreement and leave-one-out are the coordinator's only.
    """

    permission_classes = PERMISSIONS

    @extend_schema(
        parameters=[VERSION_PARAMETER],
        responses=inline_serializer(
            "Results",
            {
                "evaluation": serializers.IntegerField(),
                "status": serializers.DictField(),
                "results": ResultsDataSerializer(allow_null=True),
            },
        ),
    )
    def get(self, request, evaluation_id: int):
        evaluation = scoping.results_readable(request.user).filter(pk=evaluation_id).first()
        if evaluation is None:
            raise Http404
        snapshot = snapshot_asked(request, evaluation)
        data = None
        if snapshot is not None:
            data = results_data_for(evaluation=evaluation, snapshot=snapshot, user=request.user)
            data = with_robustness(
                evaluation=evaluation, snapshot=snapshot, data=data, user=request.user
            )
        return Response(
            {
                "evaluation": evaluation.pk,
                "status": results_status(
                    evaluation=evaluation,
                    snapshot=snapshot,
                    named=evaluation.owner_id == request.user.pk,
                ),
                "results": data,
            }
        )
