from django.contrib import admin

from .models import Invitation, PanelMembership, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "field", "title", "years_experience"]
    search_fields = ["user__username", "user__email", "organisation", "field"]


class InvitationInline(admin.StackedInline):
    """Read-only: tokens are issued by the panel page (a hash typed here would open nothing)."""

    model = Invitation
    can_delete = False
    extra = 0
    max_num = 0
    exclude = ["token_hash"]
    readonly_fields = [
        "status",
        "invited_by",
        "sent_at",
        "expires_at",
        "opened_at",
        "responded_at",
        "reminder_count",
        "last_reminded_at",
    ]


@admin.register(PanelMembership)
class PanelMembershipAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "evaluation", "user", "weight", "last_activity_at"]
    list_filter = ["evaluation"]
    search_fields = ["email", "name", "organisation", "user__username"]
    raw_id_fields = ["evaluation", "user"]
    inlines = [InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["membership", "status", "sent_at", "expires_at", "reminder_count"]
    list_filter = ["status"]
    search_fields = ["membership__email"]
    exclude = ["token_hash"]
    readonly_fields = [
        "membership",
        "invited_by",
        "sent_at",
        "expires_at",
        "opened_at",
        "responded_at",
        "reminder_count",
        "last_reminded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
