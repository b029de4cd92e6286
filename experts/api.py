"""REST: exchange a username and password for an API token (a client's "log in")."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from evaluations.api.strict import StrictInput

from .addresses import client_ip
from .lockout import lockout_message, lockout_seconds
from .tokens import MAX_EXPIRY_DAYS, api_token_create

# A client that holds the password can fetch a new token whenever it likes, so its tokens live
# shorter than the tokens page's (API_TOKEN_DEFAULT_EXPIRY_DAYS, for which a person must come
# back), and never longer.
LOGIN_TOKEN_DAYS = 30


def login_token_days() -> int:
    return min(LOGIN_TOKEN_DAYS, settings.API_TOKEN_DEFAULT_EXPIRY_DAYS)


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(lockout_message())
        self.wait = lockout_seconds()  # DRF's handler sends it as Retry-After


class LoginRateThrottle(AnonRateThrottle):
    """At most DEFAULT_THROTTLE_RATES["login"] sign-in attempts per address a minute, beside the
    lockout (experts/lockout.py); other methods are not attempts."""

    scope = "login"

    def allow_request(self, request, view) -> bool:
        return request.method != "POST" or super().allow_request(request, view)

    def get_ident(self, request) -> str:
        # The lockout's reading of the address (NUM_PROXIES alone differs when a request has
        # fewer X-Forwarded-For entries than proxies: DRF then trusts the client's left-most).
        return client_ip(request) or super().get_ident(request)


class TokenLoginSerializer(StrictInput, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, default="API client")
    read_only = serializers.BooleanField(default=False)
    expires_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        default=login_token_days,
        help_text=_("Days until the token expires; by default 30, or fewer if the site says so."),
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
        # The lockout's backend sees this request: a locked-out client gets None without its
        # password being checked, and the failure is counted for the pair and the address.
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None and getattr(request, "axes_locked_out", False):
            raise LockedOut()
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
