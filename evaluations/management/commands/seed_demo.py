"""Build the demonstration evaluation: the paper's setting, deterministic, re-runnable.

Everything goes through the same services as the pages: the 12-indicator template, ten experts
invited by pasting a CSV, the screening surveys (surveys/screening/demo.py) answered and adopted
while the evaluation is a draft, then the panel opened: seven experts who answered every form,
one halfway through (with an inconsistent draft), one who opened the link and one who has not.
"""

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from evaluations import demo
from evaluations.models import Evaluation
from evaluations.robustness.analysis import analyses_paused, analysis_queue_latest
from evaluations.services import evaluation_create_from_template, evaluation_transition
from evaluations.services.results import results_recompute
from experts import services as experts
from surveys import services as surveys
from surveys.models import Channel
from surveys.paper.models import DataEntryAssistant
from surveys.screening.demo import seed_screening
from surveys.selectors import questionnaire
from surveys.services import PaperSource

DEMO_USERNAME = "coordinator"
DEMO_PASSWORD = "ahpanel-demo"
# The demo's data-entry assistant: types in paper forms of the demo evaluation, nothing else.
DEMO_TYPIST = "demo-typist"
DEMO_TEMPLATE = "sme-management-measures"
DEMO_TITLE = "Management of two SME e-commerce enterprises (demo)"
DEMO_SUBJECTS = ["Enterprise A: platform store", "Enterprise B: independent web shop"]
# name, e-mail, organisation, weight, field, title, years
DEMO_EXPERTS = [
    ("Li Wei", "li.wei@example.com", "ZJ Univ. of Finance", 1.0, "E-commerce", "Professor", 18),
    ("Zhang Min", "zhang.min@example.com", "E-commerce Assoc.", 1.0, "Trade", "Director", 12),
    ("Wang Fang", "wang.fang@example.com", "Ningbo SME Centre", 1.0, "SMEs", "Consultant", 9),
    ("Chen Jie", "chen.jie@example.com", "Yiwu Online Retail Co.", 1.0, "Operations", "COO", 11),
    ("Liu Yang", "liu.yang@example.com", "SH Inst. Accounting", 1.5, "Control", "Professor", 15),
    ("Zhao Lei", "zhao.lei@example.com", "Suzhou Logistics Group", 1.0, "Logistics", "Manager", 8),
    ("Sun Li", "sun.li@example.com", "Jiangsu IT Security Lab", 1.0, "Security", "Engineer", 10),
    ("Zhou Qiang", "zhou.qiang@example.com", "GZ HR Consulting", 1.0, "HR", "Partner", 14),
    ("Wu Hong", "wu.hong@example.com", "Fujian Trade Bureau", 1.0, "Policy", "Analyst", 7),
    ("Xu Jing", "xu.jing@example.com", "SZ Payment Services", 1.0, "Payments", "Risk officer", 6),
]  # fmt: skip
ANSWERED = 7  # experts 1–7 submit everything; 8 is halfway; 9 opened the link; 10 has not
# A few experts explain a judgment or a rating, as real panels do: the results show these to
# the coordinator. Keyed by expert number: (comment on the first pair of U, on the first leaf).
DEMO_COMMENTS = {
    1: (
        "Hard to separate in a small shop: both come down to the owner's own time.",
        "Supplier lists exist but quotes are rarely compared.",
    ),
    3: ("", "Supplier choice is the owner's decision alone, with no second look."),
    5: ("Both are equally weak points in the firms I audit.", ""),
}
SUBJECT_LEVELS = [0.72, 0.45]  # latent management quality of the two enterprises
SEED = 20240601


class Command(BaseCommand):
    help = "Create the demo coordinator, evaluation, panel and answers (replacing an earlier demo)."

    def handle(self, *args, **options):
        rng = np.random.default_rng(SEED)
        with transaction.atomic():
            coordinator = self._coordinator()
            evaluation = self._evaluation(coordinator)
            links = experts.panel_add_experts(
                evaluation=evaluation,
                actor=coordinator,
                text="\n".join(f"{n}, {e}, {o}, {w:g}" for n, e, o, w, *_ in DEMO_EXPERTS),
                base_url=settings.SITE_URL,
            )
        tokens = [link.rstrip("/").rsplit("/", 1)[-1] for link in links]
        memberships = []
        for number, (token, expert) in enumerate(zip(tokens, DEMO_EXPERTS, strict=True), 1):
            if number <= ANSWERED + 1:
                memberships.append(self._accept(token, number, expert))
            elif number == ANSWERED + 2:
                experts.invitation_open(token=token)
        # The screening stage comes first, while the evaluation is a draft: its surveys choose
        # the indicators, and Adopt must run before any ballot exists.
        open_token = seed_screening(
            evaluation=evaluation,
            coordinator=coordinator,
            memberships=memberships[:ANSWERED],
            rng=np.random.default_rng([SEED, 13]),
        )
        evaluation = evaluation_transition(evaluation=evaluation, actor=coordinator, action="open")
        # Each submission writes a snapshot; one robustness analysis of the last is enough
        # (without a broker each would run in-process: 11 s more on the demo's 40 ballots).
        with analyses_paused():
            for number, membership in enumerate(memberships, 1):
                # The last answering expert sent paper forms; the coordinator typed them in.
                typed = {"actor": coordinator} if number == ANSWERED else None
                self._answer(
                    rng, membership, complete=number <= ANSWERED, number=number, typed=typed
                )
            self._assistant(evaluation, coordinator)
        # Compute now as well, so the demo shows results even where no task runs at all.
        results_recompute(evaluation_id=evaluation.pk)
        analysis_queue_latest(evaluation_id=evaluation.pk)
        self._report(evaluation, links, open_token)

    def _coordinator(self):
        user_model = get_user_model()
        coordinator, _ = user_model.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "coordinator@example.com", "first_name": "Demo coordinator"},
        )
        coordinator.set_password(DEMO_PASSWORD)
        coordinator.save()
        # Re-running gives the same demo, not a second copy.
        Evaluation.objects.filter(owner=coordinator, title=DEMO_TITLE).delete()
        user_model.objects.filter(username__startswith="demo-expert-").delete()
        user_model.objects.filter(username=DEMO_TYPIST).delete()
        return coordinator

    def _evaluation(self, coordinator) -> Evaluation:
        """A draft: the panel screens the indicators before the evaluation opens."""
        evaluation = evaluation_create_from_template(
            owner=coordinator,
            template_key=DEMO_TEMPLATE,
            subjects=DEMO_SUBJECTS,
            title=DEMO_TITLE,
        )
        return evaluation

    def _accept(self, token: str, number: int, expert: tuple):
        name, _email, organisation, _weight, field, title, years = expert
        experts.invitation_open(token=token)
        user = experts.invitation_accept_with_account(
            token=token,
            username=f"demo-expert-{number}",
            password=DEMO_PASSWORD,
            name=name,
            organisation=organisation,
            field=field,
            title=title,
            years_experience=years,
        )
        return user.memberships.get()

    def _assistant(self, evaluation: Evaluation, coordinator) -> None:
        """A data-entry assistant who may type in this evaluation's paper forms only."""
        user = get_user_model().objects.create_user(
            username=DEMO_TYPIST, email="typist@example.com", password=DEMO_PASSWORD
        )
        DataEntryAssistant.objects.create(evaluation=evaluation, user=user, added_by=coordinator)

    def _answer(self, rng, membership, *, complete: bool, number: int, typed=None) -> None:
        """The expert's ballots; with `typed`, sent on paper and typed in by typed["actor"],
        each form with its number (the same answers, so the same results)."""
        on_pair, on_leaf = DEMO_COMMENTS.get(number, ("", ""))
        forms_typed = iter(range(1, 100))

        def source() -> dict:
            if typed is None:
                return {}
            number_on_form = f"P-{number:02d}-{next(forms_typed):02d}"
            return {
                "channel": Channel.PAPER,
                "actor": typed["actor"],
                "paper": PaperSource(form_number=number_on_form),
            }

        forms = questionnaire(membership=membership)
        if not complete:
            # Halfway: one inconsistent draft matrix, nothing submitted yet.
            parent = forms["matrices"][1][0]
            values = demo.inconsistent_judgments(parent.children.count())
            surveys.pairwise_ballot_save(
                membership=membership,
                parent=parent,
                judgments=_judgments(parent, values),
                submit=False,
            )
            return
        for parent, _ballot in forms["matrices"]:
            # The panel's shared view of each matrix comes from the seed, not from the expert.
            truth = demo.true_weights(
                np.random.default_rng([SEED, parent.pk]), parent.children.count()
            )
            values = demo.expert_judgments(rng, truth)
            judgments = _judgments(parent, values)
            if parent.parent_id is None and on_pair:
                judgments[next(iter(judgments))]["comment"] = on_pair
            surveys.pairwise_ballot_save(
                membership=membership, parent=parent, judgments=judgments, submit=True, **source()
            )
        grades = list(membership.evaluation.grades.all())
        leaves = list(membership.evaluation.indicators.filter(children__isnull=True))
        for (subject, _ballot), level in zip(forms["subjects"], SUBJECT_LEVELS, strict=True):
            qualities = demo.subject_qualities(
                np.random.default_rng([SEED, subject.pk]), [leaf.code for leaf in leaves], level
            )
            ratings = {
                str(leaf.pk): {
                    "grade": grades[demo.expert_grade(rng, qualities[leaf.code], len(grades))].pk
                }
                for leaf in leaves
            }
            if on_leaf:
                ratings[str(leaves[0].pk)]["comment"] = on_leaf
            surveys.rating_ballot_save(
                membership=membership, subject=subject, ratings=ratings, submit=True, **source()
            )

    def _report(self, evaluation: Evaluation, links: list[str], open_token: str) -> None:
        leaves = evaluation.indicators.filter(children__isnull=True).count()
        self.stdout.write(
            f"Demo evaluation #{evaluation.pk}: {leaves} leaf indicators, "
            f"{evaluation.grades.count()} grades, {evaluation.subjects.count()} subjects, "
            f"{len(links)} experts invited ({ANSWERED} answered, 1 in progress).\n"
            f"Coordinator: sign in at {settings.SITE_URL}/accounts/login/ as "
            f"{DEMO_USERNAME} / {DEMO_PASSWORD}\n"
            f"Experts demo-expert-1 … demo-expert-{ANSWERED + 1} have the same password "
            f"(demo-expert-{ANSWERED}'s forms came on paper, typed in by the coordinator); "
            f"{DEMO_TYPIST}, the data-entry assistant, too.\n"
            "Invitation links of two experts who have not answered yet:"
        )
        for (name, *_), link in list(zip(DEMO_EXPERTS, links, strict=True))[ANSWERED + 1 :]:
            self.stdout.write(f"  {name}: {link}")
        self.stdout.write(
            "Screening: two finished surveys (the Screening tab); the public questionnaire's "
            f"open link, closed now: {settings.SITE_URL}/s/{open_token}/"
        )


def _judgments(parent, values: list[float]) -> dict:
    children = list(parent.children.all())
    keys = [surveys.pair_key(r, c) for x, r in enumerate(children) for c in children[x + 1 :]]
    return {key: {"value": value, "comment": ""} for key, value in zip(keys, values, strict=True)}
