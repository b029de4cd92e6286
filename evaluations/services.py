"""Use-cases that write evaluations. Each runs in one transaction: all or nothing."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import MAX_CHILDREN, Evaluation, Grade, Indicator, Subject
from .templates_catalog import template_get

ERROR_UNKNOWN_TEMPLATE = gettext_noop("Unknown template: {key}.")
ERROR_TOO_MANY_CHILDREN = gettext_noop(
    "Indicator {code} has {count} children; at most {limit} are allowed under one parent "
    "(the consistency index is defined only up to 9 compared elements)."
)
ERROR_NO_SUBJECTS = gettext_noop("An evaluation needs at least one subject.")


@transaction.atomic
def evaluation_create_from_template(
    *,
    owner: AbstractBaseUser,
    template_key: str,
    subjects: list[str],
    title: str = "",
) -> Evaluation:
    """Create a draft evaluation with the template's hierarchy and grade set."""
    try:
        template = template_get(template_key)
    except KeyError:
        raise ValidationError(
            {"template": _(ERROR_UNKNOWN_TEMPLATE).format(key=template_key)}
        ) from None
    if not subjects:
        raise ValidationError({"subjects": _(ERROR_NO_SUBJECTS)})

    evaluation = Evaluation.objects.create(owner=owner, title=title or template["title"])
    _indicator_create_tree(evaluation=evaluation, node=template["root"], parent=None, order=0)
    Grade.objects.bulk_create(
        Grade(evaluation=evaluation, name=name, score=score, order=position)
        for position, (name, score) in enumerate(template["grades"])
    )
    Subject.objects.bulk_create(
        Subject(evaluation=evaluation, name=name, order=position)
        for position, name in enumerate(subjects)
    )
    return evaluation


def _indicator_create_tree(
    *, evaluation: Evaluation, node: dict, parent: Indicator | None, order: int
) -> None:
    children = node.get("children", [])
    if len(children) > MAX_CHILDREN:
        raise ValidationError(
            {
                "children": _(ERROR_TOO_MANY_CHILDREN).format(
                    code=node["code"], count=len(children), limit=MAX_CHILDREN
                )
            }
        )
    indicator = Indicator.objects.create(
        evaluation=evaluation,
        parent=parent,
        code=node["code"],
        name=node["name"],
        description=node.get("description", ""),
        recommendation=node.get("recommendation", ""),
        order=order,
    )
    for position, child in enumerate(children):
        _indicator_create_tree(evaluation=evaluation, node=child, parent=indicator, order=position)
