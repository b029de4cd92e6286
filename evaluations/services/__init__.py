"""Use-cases that write evaluations. Each runs in one transaction: all or nothing.

Split by sub-domain: lifecycle (create, copy, settings, open/close), structure (indicators,
grades, subjects) and the audit log they all write to.
"""

from .audit import audit_record
from .lifecycle import (
    ERROR_DUPLICATE_SUBJECT,
    ERROR_EMPTY_TITLE,
    ERROR_NO_SUBJECTS,
    ERROR_NOT_READY_GRADES,
    ERROR_NOT_READY_INDICATORS,
    ERROR_TOO_MANY_CHILDREN,
    ERROR_TRANSITION,
    ERROR_UNKNOWN_TEMPLATE,
    evaluation_check_ready,
    evaluation_copy,
    evaluation_create_blank,
    evaluation_create_from_template,
    evaluation_transition,
    evaluation_update_settings,
)
from .structure import (
    GradeRow,
    SubjectRow,
    grade_set_replace,
    indicator_add,
    indicator_delete,
    indicator_move,
    indicator_reorder,
    indicator_update_text,
    subject_set_replace,
)

__all__ = [
    "GradeRow",
    "SubjectRow",
    "grade_set_replace",
    "indicator_add",
    "indicator_delete",
    "indicator_move",
    "indicator_reorder",
    "indicator_update_text",
    "subject_set_replace",
    "ERROR_DUPLICATE_SUBJECT",
    "ERROR_EMPTY_TITLE",
    "ERROR_NO_SUBJECTS",
    "ERROR_NOT_READY_GRADES",
    "ERROR_NOT_READY_INDICATORS",
    "ERROR_TOO_MANY_CHILDREN",
    "ERROR_TRANSITION",
    "ERROR_UNKNOWN_TEMPLATE",
    "audit_record",
    "evaluation_check_ready",
    "evaluation_copy",
    "evaluation_create_blank",
    "evaluation_create_from_template",
    "evaluation_transition",
    "evaluation_update_settings",
]
