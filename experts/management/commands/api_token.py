"""Create, list and revoke a user's API tokens from the command line (e.g. for a cron job)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from experts.models import ApiToken
from experts.tokens import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke API tokens. A new token's secret is printed once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--read-write", action="store_true", help="allow writes too")
        create.add_argument("--expires-days", type=int, help="days until it expires")
        listing = actions.add_parser("list", help="list a user's tokens (never their secrets)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("username")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None
        if action == "create":
            try:
                token, secret = api_token_create(
                    user=user,
                    name=options["name"],
                    read_only=not options["read_write"],
                    expires_days=options["expires_days"],
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            access = "read only" if token.read_only else "read and write"
            self.stderr.write(f"token {token.pk} “{token.name}” ({access}); shown once:")
            self.stdout.write(secret)
        elif action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else ("usable" if token.usable else "expired")
                self.stdout.write(
                    f"{token.pk}\t{token.prefix}…\t{token.name}\t"
                    f"{'read only' if token.read_only else 'read and write'}\t{state}\t"
                    f"expires {token.expires_at or 'never'}"
                )
        else:
            try:
                token = api_token_revoke(user=user, token_id=options["token_id"])
            except ApiToken.DoesNotExist:
                raise CommandError(f"{username} has no token {options['token_id']}") from None
            self.stdout.write(f"revoked token {token.pk} “{token.name}”")
