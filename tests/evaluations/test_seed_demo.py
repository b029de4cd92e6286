from django.core.management import call_command

from evaluations.management.commands import seed_demo
from evaluations.models import Evaluation


def test_seed_demo_builds_the_papers_twelve_indicator_evaluation(db, capsys):
    call_command("seed_demo")

    evaluation = Evaluation.objects.get(title=seed_demo.DEMO_TITLE)
    leaves = evaluation.indicators.filter(children__isnull=True)
    assert leaves.count() == 12
    assert list(evaluation.grades.values_list("name", "score")) == [
        ("very strong", 4),
        ("strong", 3),
        ("general", 2),
        ("poor", 1),
    ]
    assert evaluation.subjects.count() == len(seed_demo.DEMO_SUBJECTS)
    output = capsys.readouterr().out
    assert seed_demo.DEMO_USERNAME in output and seed_demo.DEMO_PASSWORD in output


def test_seed_demo_can_run_twice_and_leaves_one_demo(client, db):
    call_command("seed_demo")
    call_command("seed_demo")

    assert Evaluation.objects.filter(title=seed_demo.DEMO_TITLE).count() == 1
    assert client.login(username=seed_demo.DEMO_USERNAME, password=seed_demo.DEMO_PASSWORD)
