"""What coordinators typed is marked with the evaluation's language inside a page in another."""

from django.template import Context, Template
from django.utils import translation

from evaluations.models import Evaluation

TEMPLATE = Template(
    "{% load i18n data_language %}<h1{{ evaluation|lang_attr }}>{{ evaluation.title }}</h1>"
    "{% blocktranslate with title=evaluation.title|in_language:evaluation %}"
    "Results: {{ title }}{% endblocktranslate %}"
)


def render(language: str, title: str = "Shops & <Co>") -> str:
    with translation.override(language):
        return TEMPLATE.render(Context({"evaluation": Evaluation(title=title, language="en")}))


def test_english_data_in_a_chinese_page_carries_lang_en_and_stays_escaped():
    html = render("zh-hans")

    assert '<h1 lang="en">Shops &amp; &lt;Co&gt;</h1>' in html
    assert '<span lang="en">Shops &amp; &lt;Co&gt;</span>' in html


def test_data_in_the_pages_own_language_is_left_plain():
    html = render("en")

    assert html == "<h1>Shops &amp; &lt;Co&gt;</h1>Results: Shops &amp; &lt;Co&gt;"
