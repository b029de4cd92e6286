import pytest

from tests.evaluations.test_results_pages import panel_results


@pytest.fixture
def snapshot(evaluation):
    return panel_results(evaluation)
