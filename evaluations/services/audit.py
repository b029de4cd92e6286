from django.contrib.auth.models import AbstractBaseUser

from ..models import AuditEntry, Evaluation


def audit_record(
    *,
    evaluation: Evaluation,
    actor: AbstractBaseUser | None,
    action: AuditEntry.Action,
    detail: str = "",
    params: dict | None = None,
) -> AuditEntry:
    """Log a coordinator's or an expert's action; call it inside the action's own transaction.

    `params` holds what `detail` says as data (JSON), for pages that word it per language.
    """
    return AuditEntry.objects.create(
        evaluation=evaluation, actor=actor, action=action, detail=detail[:500], params=params or {}
    )
