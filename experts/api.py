"""REST: exchange a username and password for an API token (a client's "log in")."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from evaluations.api.strict import StrictInput

from .lockout import ERROR_LOCKED_OUT, lockout_remaining
from .tokens import MAX_EXPIRY_DAYS, api_token_create

LOGIN_TOKEN_DAYS = 30


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class LoginRateThrottle(AnonRateThrottle):
    """At most DEFAULT_THROTTLE_RATES["login"] sign-in attempts per address, whatever the user
    names tried (the lockout counts per user name); other methods are not attempts."""

    scope = "login"

    def allow_request(self, request, view) -> bool:
        return request.method != "POST" or super().allow_request(request, view)


class TokenLoginSerializer(StrictInput, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, default="API client")
    read_only = serializers.BooleanField(default=False)
    expires_days = serializers.IntegerField(
        min_value=1, max_value=MAX_EXPIRY_DAYS, default=LOGIN_TOKEN_DAYS
    )


class TokenLoginView(APIView):
    """A new token for the account (shown once; only its hash is kept). Send it as
    `Authorization: Bearer <token>`. Tokens are listed and revoked on the account's
    "API tokens" page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    def get_authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # a wrong password is a 401, as elsewhere in the API

    @extend_schema(
        request=TokenLoginSerializer,
        responses={
            201: inline_serializer(
                "TokenCreated",
                {
                    "token": serializers.CharField(),
                    "name": serializers.CharField(),
                    "read_only": serializers.BooleanField(),
                    "expires_at": serializers.DateTimeField(allow_null=True),
                },
            )
        },
        auth=[],
    )
    def post(self, request):
        serializer = TokenLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        minutes = lockout_remaining(username=data["username"], request=request)
        if minutes:
            raise LockedOut(ERROR_LOCKED_OUT % {"minutes": minutes})
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        token, secret = api_token_create(
            user=user,
            name=data["name"],
            read_only=data["read_only"],
            expires_days=data["expires_days"],
        )
        return Response(
            {
                "token": secret,
                "name": token.name,
                "read_only": token.read_only,
                "expires_at": token.expires_at,
            },
            status=status.HTTP_201_CREATED,
        )
