"""REST endpoints for an evaluation's data-entry assistants (the coordinator's only): list,
add by e-mail (an address with no account is sent an invitation), remove, and resend or
cancel an invitation. The same services as the Paper forms tab."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from evaluations.api.conflicts import CONFLICT_RESPONSE, state_conflicts
from evaluations.api.strict import StrictInput

from ..api import PERMISSIONS
from . import invitations, roster
from .models import AssistantInvitation, DataEntryAssistant
from .selectors import access_data_entry


def _coordinator_evaluation(request, evaluation_id: int):
    access = access_data_entry(user=request.user, evaluation_id=evaluation_id)
    if not access.is_coordinator:
        raise PermissionDenied  # an assistant types in forms and manages nobody
    return access.evaluation


class AssistantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    email = serializers.EmailField(source="user.email")
    created_at = serializers.DateTimeField()


class AssistantInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    status = serializers.ChoiceField(
        choices=AssistantInvitation.Status.choices,
        help_text="`pending` (sent), `opened`, `accepted`, `declined` or `cancelled`.",
    )
    expired = serializers.BooleanField(source="is_expired")
    sent_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class AssistantAddSerializer(StrictInput, serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The assistant's e-mail.")


class AssistantsView(APIView):
    """The evaluation's data-entry assistants and the invitations waiting for an answer."""

    permission_classes = PERMISSIONS

    @extend_schema(
        responses=inline_serializer(
            "DataEntryAssistants",
            {
                "assistants": AssistantSerializer(many=True),
                "invitations": AssistantInvitationSerializer(many=True),
            },
        )
    )
    def get(self, request, evaluation_id: int):
        evaluation = _coordinator_evaluation(request, evaluation_id)
        assistants = DataEntryAssistant.objects.filter(evaluation=evaluation)
        waiting = AssistantInvitation.objects.filter(
            evaluation=evaluation, status__in=AssistantInvitation.OPEN
        )
        return Response(
            {
                "assistants": AssistantSerializer(
                    assistants.select_related("user"), many=True
                ).data,
                "invitations": AssistantInvitationSerializer(waiting, many=True).data,
            }
        )

    @extend_schema(
        request=AssistantAddSerializer,
        responses={
            201: inline_serializer(
                "AssistantAdded",
                {
                    "assistant": AssistantSerializer(allow_null=True),
                    "invitation": AssistantInvitationSerializer(allow_null=True),
                },
            )
        },
        description="The account with this e-mail becomes an assistant (`assistant`); an "
        "address with no account is sent an invitation to create one (`invitation`; the "
        "e-mail leaves once the request succeeds). 400 if the address is invalid, already "
        "an assistant or already invited, or if 20 invitations already wait for an answer.",
    )
    def post(self, request, evaluation_id: int):
        evaluation = _coordinator_evaluation(request, evaluation_id)
        serializer = AssistantAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = roster.assistant_add(
            evaluation=evaluation,
            actor=request.user,
            email=serializer.validated_data["email"],
            base_url=request.build_absolute_uri("/"),
        )
        invited = isinstance(added, AssistantInvitation)
        body = {
            "assistant": None if invited else AssistantSerializer(added).data,
            "invitation": AssistantInvitationSerializer(added).data if invited else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class AssistantView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={204: None})
    def delete(self, request, evaluation_id: int, assistant_id: int):
        """Take the role away; what they typed stays."""
        evaluation = _coordinator_evaluation(request, evaluation_id)
        assistant = get_object_or_404(
            DataEntryAssistant.objects.select_related("user", "evaluation"),
            pk=assistant_id,
            evaluation=evaluation,
        )
        roster.assistant_remove(assistant=assistant, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _invitation(request, evaluation_id: int, invitation_id: int) -> AssistantInvitation:
    evaluation = _coordinator_evaluation(request, evaluation_id)
    return get_object_or_404(
        AssistantInvitation.objects.select_related("evaluation__owner"),
        pk=invitation_id,
        evaluation=evaluation,
    )


class AssistantInvitationView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={200: AssistantInvitationSerializer, 409: CONFLICT_RESPONSE})
    def delete(self, request, evaluation_id: int, invitation_id: int):
        """Cancel an invitation not yet answered: its link stops working (the record stays,
        `cancelled`). 409 once it was answered or cancelled."""
        invitation = _invitation(request, evaluation_id, invitation_id)
        with state_conflicts():
            invitation = invitations.assistant_invitation_cancel(
                invitation=invitation, actor=request.user
            )
        return Response(AssistantInvitationSerializer(invitation).data)


class AssistantInvitationResendView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=None, responses={200: AssistantInvitationSerializer, 409: CONFLICT_RESPONSE}
    )
    def post(self, request, evaluation_id: int, invitation_id: int):
        """A new link with a new expiry is mailed; the old link stops working. 409 once the
        invitation was answered or cancelled."""
        invitation = _invitation(request, evaluation_id, invitation_id)
        with state_conflicts():
            invitation = invitations.assistant_invitation_resend(
                invitation=invitation, actor=request.user, base_url=request.build_absolute_uri("/")
            )
        return Response(AssistantInvitationSerializer(invitation).data)
