"""The activity log in the reader's language.

Services record what an entry is about as data (`AuditEntry.params`); this module words it when
the page is read, so a Chinese reader sees "CR 策略", not "cr_policy", and a template's title,
not its key. Entries written before params existed keep their English detail line.
"""

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AuditEntry, Evaluation, Indicator
from .templates_catalog import localized, template_get


def audit_entry_detail(entry: AuditEntry) -> str:
    """What the entry is about, worded for the active language ("" when there is nothing)."""
    params = entry.params or {}
    wording = _WORDINGS.get(entry.action)
    if params and wording is not None:
        try:
            return wording(params)
        except (KeyError, TypeError, ValueError):
            pass  # params of an unexpected shape: the stored line still says what happened
    return entry.detail


def _quoted(text: str) -> str:
    return _("“%(text)s”") % {"text": text}


def _listed(items: list[str]) -> str:
    return _(", ").join(items)


def _field_names(model, names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return _listed(labels)


def _number(value: float) -> str:
    value = round(float(value), 4)
    return number_format(int(value) if value.is_integer() else value)


def _criteria(weights: dict) -> str:
    if not weights:
        return _("the overall weight for every criterion")
    return _listed([f"{code} {_number(weight)}" for code, weight in weights.items()])


def _created(params: dict) -> str:
    key = params["template"]
    try:
        title = localized(template_get(key), "title", translation.get_language() or "en")
    except KeyError:
        title = key  # a template since removed from the catalogue
    return _("from the template %(title)s") % {"title": _quoted(title)}


def _copied(params: dict) -> str:
    return _("from %(title)s (no. %(id)s)") % {
        "title": _quoted(params["title"]),
        "id": params["source"],
    }


def _settings(params: dict) -> str:
    if "criteria_after" in params:
        return _("weights per criterion of expert %(email)s: %(before)s → %(after)s") % {
            "email": params["expert"],
            "before": _criteria(params["criteria_before"]),
            "after": _criteria(params["criteria_after"]),
        }
    if "expert" in params:
        return _("weight of expert %(email)s: %(before)s → %(after)s") % {
            "email": params["expert"],
            "before": _number(params["before"]),
            "after": _number(params["after"]),
        }
    return _field_names(Evaluation, params["fields"])


def _hierarchy(params: dict) -> str:
    text = _hierarchy_change(params)
    if params.get("given_weights_cleared"):  # evaluations/given_weights: children changed
        cleared = _("cleared the given weights under %(codes)s") % {
            "codes": _listed(params["given_weights_cleared"])
        }
        text = _("; ").join([text, cleared])
    return text


def _given_weights(params: dict, values: dict) -> str:
    weights = _listed([f"{code} {_number(weight)}" for code, weight in params["weights"].items()])
    values["weights"] = weights
    if params.get("source"):
        values["source"] = _quoted(params["source"])
        return _("gave the weights under %(code)s: %(weights)s (source: %(source)s)") % values
    return _("gave the weights under %(code)s: %(weights)s") % values


def _hierarchy_change(params: dict) -> str:
    change = params["change"]
    values = {
        "code": params.get("code", ""),
        "name": _quoted(params.get("name", "")),
        "new_code": params.get("new_code", ""),
        "parent": params.get("parent", ""),
    }
    if change == "added":
        return _("added %(code)s %(name)s") % values
    if change == "edited":
        values["fields"] = _field_names(Indicator, params["fields"])
        return _("edited %(code)s %(name)s: %(fields)s") % values
    if change == "inputs":  # evaluations.direct_membership: a leaf's given rows or values
        return _("edited the measured values or membership rows of %(code)s %(name)s") % values
    if change == "moved_up":
        return _("moved %(code)s up (now %(new_code)s)") % values
    if change == "moved_down":
        return _("moved %(code)s down (now %(new_code)s)") % values
    if change == "moved":
        return _("moved %(code)s %(name)s under %(parent)s (now %(new_code)s)") % values
    if change == "deleted":
        below = int(params.get("below", 0))
        if below:
            values["count"] = below
            return (
                ngettext(
                    "deleted %(code)s %(name)s and %(count)d indicator below it",
                    "deleted %(code)s %(name)s and %(count)d indicators below it",
                    below,
                )
                % values
            )
        return _("deleted %(code)s %(name)s") % values
    if change == "given_weights":
        return _given_weights(params, values)
    if change == "given_weights_cleared":
        return _("back to pairwise comparisons under %(code)s") % values
    if change == "adopted":  # surveys.screening.adopt: the summary after its own entries
        for key in ("added", "renamed", "deleted"):
            values[key] = ", ".join(params.get(key, [])) or "—"
        values["title"] = _quoted(params.get("title", ""))
        return (
            _(
                "adopted the screening survey %(title)s: added %(added)s; renamed %(renamed)s; "
                "deleted %(deleted)s"
            )
            % values
        )
    raise ValueError(change)


def _rows(params: dict) -> str:
    """Grades or subjects: what was added and removed, and the list now."""

    def label(row) -> str:
        if isinstance(row, list):  # a grade: [name, score]
            return _("%(name)s (%(score)s)") % {"name": row[0], "score": _number(row[1])}
        return row

    parts = []
    if params.get("added"):
        parts.append(_("added %(items)s") % {"items": _listed([label(r) for r in params["added"]])})
    if params.get("removed"):
        removed = _listed([label(r) for r in params["removed"]])
        parts.append(_("removed %(items)s") % {"items": removed})
    parts.append(_("now %(items)s") % {"items": _listed([label(r) for r in params["now"]])})
    return _("; ").join(parts)


def _experts_added(params: dict) -> str:
    count = len(params["emails"])
    return ngettext("%(count)d expert: %(emails)s", "%(count)d experts: %(emails)s", count) % {
        "count": count,
        "emails": _listed(params["emails"]),
    }


def _count_of_invitations(params: dict) -> str:
    count = int(params["count"])
    return ngettext("%(count)d invitation", "%(count)d invitations", count) % {"count": count}


def _count_of_experts(params: dict) -> str:
    count = int(params["count"])
    return ngettext("%(count)d expert", "%(count)d experts", count) % {"count": count}


def _email(params: dict) -> str:
    return params["email"]


def _revoked(params: dict) -> str:
    if not (params.get("pairwise") or params.get("ratings")):
        return params["email"]
    if params.get("answers_kept"):
        text = _("%(email)s; answers kept in the results")
    else:
        text = _("%(email)s; answers left out of the results")
    return text % {"email": params["email"]}


def _ballot(params: dict) -> str:
    if params["kind"] == "pairwise":
        text = _("pairwise comparisons under %(code)s") % {"code": params["code"]}
    else:
        text = _("ratings of %(subject)s") % {"subject": _quoted(params["subject"])}
    if params.get("channel") == "paper" and "expert" in params:  # typed in (surveys/paper/)
        return _paper(text, params)
    return text


def _paper(form: str, params: dict) -> str:
    values = {"form": form, "expert": params["expert"], "number": params.get("form_number")}
    if params.get("first_entered_by"):
        values["first"] = params["first_entered_by"]
        if values["number"]:
            text = _("%(form)s of %(expert)s, paper form %(number)s, first typed by %(first)s")
        else:
            text = _("%(form)s of %(expert)s, on paper, first typed by %(first)s")
    elif values["number"]:
        text = _("%(form)s of %(expert)s, paper form %(number)s")
    else:
        text = _("%(form)s of %(expert)s, on paper")
    return text % values


def _paper_entry(params: dict) -> str:
    """A typing kept for double entry, or discarded."""
    if params["kind"] == "pairwise":
        form = _("pairwise comparisons under %(code)s") % {"code": params["code"]}
    else:
        form = _("ratings of %(subject)s") % {"subject": _quoted(params["subject"])}
    return _paper(form, params)


def _user(params: dict) -> str:
    # Assistants invited by e-mail (surveys/paper/invitations.py) say what became of the link.
    wordings = {
        "invited": _("%(user)s, invited by e-mail"),
        "resent": _("%(user)s, invitation sent again"),
        "cancelled": _("%(user)s, invitation cancelled"),
        "declined": _("%(user)s declined the invitation"),
        "accepted": _("%(user)s, by accepting the invitation"),
    }
    wording = wordings.get(params.get("invitation", ""))
    return wording % {"user": params["user"]} if wording else params["user"]


_WORDINGS: dict[str, Callable[[dict], str]] = {
    AuditEntry.Action.CREATED: _created,
    AuditEntry.Action.COPIED: _copied,
    AuditEntry.Action.EDITED_SETTINGS: _settings,
    AuditEntry.Action.EDITED_HIERARCHY: _hierarchy,
    AuditEntry.Action.EDITED_GRADES: _rows,
    AuditEntry.Action.EDITED_SUBJECTS: _rows,
    AuditEntry.Action.ADDED_EXPERTS: _experts_added,
    AuditEntry.Action.INVITED: _count_of_invitations,
    AuditEntry.Action.REMINDED: _count_of_experts,
    AuditEntry.Action.RESENT: _email,
    AuditEntry.Action.REVOKED: _revoked,
    AuditEntry.Action.RESTORED: _email,
    AuditEntry.Action.ACCEPTED: _email,
    AuditEntry.Action.DECLINED: _email,
    AuditEntry.Action.SUBMITTED: _ballot,
    AuditEntry.Action.WITHDREW: _ballot,
    AuditEntry.Action.PAPER_ENTERED: _paper_entry,
    AuditEntry.Action.PAPER_DISCARDED: _paper_entry,
    AuditEntry.Action.ADDED_ASSISTANT: _user,
    AuditEntry.Action.REMOVED_ASSISTANT: _user,
}
