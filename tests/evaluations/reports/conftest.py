"""A real snapshot to render: three experts answer the SME template, as the results pages'
tests do; Chinese names for the Chinese documents, hostile ones for the hostile tests."""

import pytest

from evaluations.models import Evaluation
from tests.evaluations.test_results_pages import panel_results

CHINESE_TITLE = "中小企业电子商务管理评价"
CHINESE_LEAF = "供应商选择"
CHINESE_SUBJECT = "企业甲"
HOSTILE_NAME = '<script>alert("x")</script><img src="https://example.org/t.png">'
LONG_NAME = "Very long indicator name " * 8  # 200 characters, the field's limit


def named(evaluation: Evaluation, *, title: str, leaf: str, subject: str) -> Evaluation:
    """Names changed before the ballots, so the snapshot carries them."""
    evaluation.title = title
    evaluation.save(update_fields=["title"])
    evaluation.indicators.filter(code="U11").update(name=leaf)
    evaluation.subjects.filter(name="Enterprise A").update(name=subject)
    return evaluation


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)


@pytest.fixture
def chinese_snapshot(evaluation):
    named(evaluation, title=CHINESE_TITLE, leaf=CHINESE_LEAF, subject=CHINESE_SUBJECT)
    evaluation.language = "zh-hans"
    evaluation.save(update_fields=["language"])
    return panel_results(evaluation)


@pytest.fixture
def hostile_snapshot(evaluation):
    named(evaluation, title='"; } @page { @top-left { content: "owned', leaf=HOSTILE_NAME,
          subject=LONG_NAME[:200])  # fmt: skip
    evaluation.indicators.filter(code="U12").update(name=LONG_NAME[:200])
    return panel_results(evaluation)
