"""Mark what coordinators and experts typed (titles, indicator and subject names) with the
evaluation's language when the page is in another one, so screen readers pronounce it in the
right language (WCAG 3.1.2): an English evaluation read in Chinese, or the other way round.

    {% load data_language %}
    <ul{{ evaluation|lang_attr }}>…</ul>
    {% blocktranslate with title=evaluation.title|in_language:evaluation %}…{% endblocktranslate %}
"""

from django import template
from django.utils import translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _differs(evaluation) -> str:
    """The evaluation's language when it is not the page's, else ""."""
    language = getattr(evaluation, "language", "") or ""
    page = translation.get_language() or ""
    return language if language and language.lower() != page.lower() else ""


@register.filter
def lang_attr(evaluation) -> SafeString:
    """` lang="en"` for an element holding the evaluation's data, or nothing."""
    language = _differs(evaluation)
    return format_html(' lang="{}"', language) if language else mark_safe("")


@register.filter
def in_language(text, evaluation) -> SafeString:
    """`text` escaped, inside a <span lang="…"> when the evaluation's language differs."""
    language = _differs(evaluation)
    if not language:
        return escape(text)
    return format_html('<span lang="{}">{}</span>', language, text)
