"""A REST client written from the schema alone: every path it uses is read from /api/schema/.

The coordinator's client logs in, creates and opens an evaluation and invites an expert; the
expert (after accepting the e-mailed link in the browser) logs in with their own client,
lists their panels, submits every ballot; the coordinator reads results that include them.
"""

import re

from django.core import mail
from rest_framework.test import APIClient

from experts.services import invitation_accept
from tests.conftest import PASSWORD


class SchemaClient:
    def __init__(self):
        self.http = APIClient()
        self.paths = self.http.get("/api/schema/", {"format": "json"}).json()["paths"]

    def url(self, template: str, **params) -> str:
        assert template in self.paths, f"{template} is not in the schema"
        return template.format(**params)

    def call(self, method: str, template: str, body=None, expect=200, **params):
        response = getattr(self.http, method)(self.url(template, **params), body, format="json")
        assert response.status_code == expect, response.content
        return response.json()

    def log_in(self, username: str) -> None:
        token = self.call(
            "post",
            "/api/v1/token/",
            {"username": username, "password": PASSWORD, "name": "journey"},
            expect=201,
        )["token"]
        self.http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_schema_only_client_runs_an_evaluation_end_to_end(
    coordinator, make_user, django_capture_on_commit_callbacks
):
    office = SchemaClient()
    office.log_in(coordinator.username)
    created = office.call(
        "post",
        "/api/v1/evaluations/",
        {"template": "sme-management-measures", "subjects": ["Shop A", "Shop B"]},
        expect=201,
    )
    evaluation_id = created["id"]
    office.call(
        "post", "/api/v1/evaluations/{id}/transition/", {"action": "open"}, id=evaluation_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        office.call(
            "post", "/api/v1/evaluations/{id}/experts/", {"experts": "erin@example.com"},
            expect=201, id=evaluation_id,
        )  # fmt: skip

    # The expert accepts the e-mailed link in the browser (the token is never in the API).
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    invitation_accept(token=token, user=make_user("erin"))

    expert = SchemaClient()
    expert.log_in("erin")
    [panel] = expert.call("get", "/api/v1/panels/")
    grades = {grade["name"]: grade["id"] for grade in panel["grades"]}
    hierarchy = office.call("get", "/api/v1/evaluations/{id}/hierarchy/", id=evaluation_id)

    def children(code, node=hierarchy["root"]):
        if node["code"] == code:
            return [child["code"] for child in node["children"]]
        return next(filter(None, (children(code, c) for c in node["children"])), None)

    with django_capture_on_commit_callbacks(execute=True):
        for matrix in panel["matrices"]:
            kids = children(matrix["parent"])
            judgments = [  # earlier indicators matter a little more: consistent by design
                {"row": a, "col": b, "value": 2 if j - i == 1 else 3}
                for i, a in enumerate(kids) for j, b in enumerate(kids) if j > i
            ]  # fmt: skip
            if len(kids) > 3:
                for item in judgments:
                    item["value"] = 1
            expert.call(
                "put", "/api/v1/panels/{evaluation_id}/pairwise/{parent_id}/",
                {"judgments": judgments, "submit": True},
                evaluation_id=evaluation_id, parent_id=matrix["parent_id"],
            )  # fmt: skip
        leaves = [row["code"] for row in office.call(
            "get", "/api/v1/evaluations/{id}/", id=evaluation_id)["indicators"]
            if not children(row["code"])]  # fmt: skip
        for subject in panel["subjects"]:
            expert.call(
                "put", "/api/v1/panels/{evaluation_id}/ratings/{subject_id}/",
                {"ratings": [{"indicator": c, "grade": grades["strong"]} for c in leaves],
                 "submit": True},
                evaluation_id=evaluation_id, subject_id=subject["subject_id"],
            )  # fmt: skip

    results = office.call(
        "get", "/api/v1/evaluations/{evaluation_id}/results/", evaluation_id=evaluation_id
    )
    assert results["status"]["stale"] is False
    assert results["status"]["pairwise_ballots"] == 4 and results["status"]["rating_ballots"] == 2
    names = [grade["name"] for grade in results["results"]["grades"]]
    assert [names[s["grade"]] for s in results["results"]["subjects"]] == ["strong", "strong"]
