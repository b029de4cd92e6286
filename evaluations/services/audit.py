from django.contrib.auth.models import AbstractBaseUser

from ..models import AuditEntry, Evaluation


def audit_record(
    *,
    evaluation: Evaluation,
    actor: AbstractBaseUser | None,
    action: AuditEntry.Action,
    detail: str = "",
) -> AuditEntry:
    """Log a coordinator action; call it inside the action's own transaction."""
    return AuditEntry.objects.create(
        evaluation=evaluation, actor=actor, action=action, detail=detail[:500]
    )
