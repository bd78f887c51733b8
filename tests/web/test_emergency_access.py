"""Breaking the glass from the pages (issue 17): Dr Patel covers for Dr Lee, whose patient
Maya calls about her prescription. Maya's course is out of Dr Patel's reach (answered as not
found); with a stated reason, logged first, he opens it, read only, for a clinic shift
(EMERGENCY_READ_HOURS); Dr Lee reads his reason in Maya's access log. Without a reason, or for
a patient who does not exist, nothing opens and nothing is logged. A designee cannot.

Demo clinic on 15 October 2026, over HTTP without a browser."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store, page_client, sign_in
from fastapi.testclient import TestClient

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
REASON = "Dr Lee away; Maya phoned about a rash and her waiting prescription"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("emergency"), TODAY)


def client(demo: Demo) -> TestClient:
    return page_client(demo.url, lambda: TODAY)


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    return sign_in(web, username, demo.passwords[username])


def as_dr_lee(demo: Demo, path: str) -> object:
    """What Maya's own prescriber reads at ``path`` (the API, JSON)."""
    with client(demo) as web:
        signed_in(web, demo, "dr.lee")
        answer = web.get(path)
    assert answer.status_code == 200
    return answer.json()


def test_a_covering_prescriber_opens_a_course_read_only_with_a_logged_reason(demo: Demo) -> None:
    maya = as_dr_lee(demo, "/api/v1/patients/demo-02")
    assert isinstance(maya, dict)
    course = maya["courses"][-1]["id"]
    with client(demo) as web:
        csrf = signed_in(web, demo, "dr.patel")
        assert web.get(f"/courses/{course}").status_code == 404  # out of reach: not found
        search = web.get("/search?q=Okafor").text
        assert 'href="/emergency-access"' in search

        short = web.post("/emergency-access", data={"csrf_token": csrf, "patient": "demo-02",
                                                     "reason": "urgent"})  # fmt: skip
        assert short.status_code == 422 and 'id="emergency-reason-error"' in short.text
        nobody = web.post("/emergency-access", data={"csrf_token": csrf, "patient": "demo-99",
                                                      "reason": REASON})  # fmt: skip
        assert nobody.status_code == 422 and "No patient has the record number" in nobody.text
        assert web.get(f"/courses/{course}").status_code == 404  # still closed

        stated = {"csrf_token": csrf, "patient": "demo-02", "reason": REASON}
        opened = web.post("/emergency-access", data=stated, follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == f"/courses/{course}"
        page = web.get(f"/courses/{course}")
        assert page.status_code == 200 and 'id="emergency-notice"' in page.text
        assert "Maya Okafor" in page.text
        # Read only: the only form that posts is signing out; the service refuses a record.
        posting = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page.text)
        assert posting == ["/signout"]
        weight = {"csrf_token": csrf, "form_key": "weight", "date": TODAY.isoformat(),
                  "weight_kg": "60"}  # fmt: skip
        assert web.post(f"/courses/{course}/events", data=weight).status_code == 404

    log = as_dr_lee(demo, "/api/v1/patients/demo-02/access-log?format=json")
    assert isinstance(log, list)
    broke = [r for r in log if r["action"] == "break-glass"]
    assert [(r["username"], r["reason"]) for r in broke] == [("dr.patel", REASON)]
    # The look itself is logged as any read, after the reason.
    assert any(r["username"] == "dr.patel" and r["action"] == "read" and r["id"] > broke[0]["id"]
               for r in log)  # fmt: skip
    assert not any(r["username"] == "dr.patel" and r["action"] == "change" for r in log)


def test_a_designee_cannot_break_the_glass(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "nurse.kim")
        assert web.get("/emergency-access").status_code == 403
        refused = web.post("/emergency-access", data={"csrf_token": csrf, "patient": "demo-07",
                                                       "reason": REASON})  # fmt: skip
        assert refused.status_code == 403
