"""A designee is shown only forms she can submit (issue 17): Nurse Kim acts for Dr Lee, who
alone signs prescriptions and reviews alerts (service.access, EVENT_TYPES_BY_ROLE). On Maya's
course (a prescription waiting) and Priya's (a PHQ-9 answer on hold), and on the
today list, every form she sees posts something the service accepts from her; a change to the
signed prescription, refused by the service, is neither offered nor accepted.

Demo clinic on 15 October 2026, over HTTP without a browser."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store, page_client, sign_in
from fastapi.testclient import TestClient

from isotrack.service.access import EVENT_TYPES_BY_ROLE
from isotrack.store.users import Role
from isotrack.web.pages.common import event_forms, knowledge

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
DESIGNEE_TYPES = EVENT_TYPES_BY_ROLE[Role.DESIGNEE]
FORM_TYPES = {key: form.type for key, form in event_forms(knowledge()).items()}
# What a designee's page may post to: her own records, corrections, her session.
SUBMITTABLE = re.compile(r"^/(courses/[^/]+/(events|amend|acne-assessments)|signout)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("designee"), TODAY)


def client(demo: Demo) -> TestClient:
    return page_client(demo.url, lambda: TODAY)


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    return sign_in(web, username, demo.passwords[username])


def course_of(web: TestClient, patient_id: str) -> str:
    return str(web.get(f"/api/v1/patients/{patient_id}").json()["courses"][-1]["id"])


def posted_forms(page: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r'<form[^>]*method="post".*?</form>', page, re.S)]


def test_every_form_a_designee_sees_posts_what_she_may_record(demo: Demo) -> None:
    with client(demo) as web:
        signed_in(web, demo, "nurse.kim")
        pages = {"today": web.get("/today").text}
        for patient in ("demo-02", "demo-05"):
            course = course_of(web, patient)
            pages[patient] = web.get(f"/courses/{course}").text
            events = web.get(f"/api/v1/courses/{course}/events").json()["events"]
            pages[patient + " types"] = " ".join(
                f"{e['event']['id']}={e['event']['type']}" for e in events
            )
    for name in ("today", "demo-02", "demo-05"):
        for form in posted_forms(pages[name]):
            action = re.search(r'action="([^"]+)"', form)
            assert action is not None
            assert SUBMITTABLE.match(action.group(1)), f"{name} shows a form to {action.group(1)}"
            key = re.search(r'name="form_key" value="([^"]+)"', form)
            if key is not None:
                kind = FORM_TYPES[key.group(1)]
                assert kind in DESIGNEE_TYPES, f"{name}: a {kind} form"
    for patient in ("demo-02", "demo-05"):
        page, types = pages[patient], dict(p.split("=") for p in pages[patient + " types"].split())
        # A prescription or an alert review is never offered for change or withdrawal.
        amendable = re.findall(r'<details class="amend" id="amend-([^"]+)"', page)
        void_picker = re.search(r'id="form-void-target_id".*?</select>', page, re.S)
        assert void_picker is not None
        voidable = re.findall(r'<option value="([^"]+)"', void_picker.group(0))
        for event_id in amendable + voidable:
            assert types[event_id] in DESIGNEE_TYPES, f"{patient}: {types[event_id]} offered"
        assert 'id="form-prescription"' not in page and "Only a prescriber can sign" in page
    assert "Only a prescriber can review an alert" in pages["demo-05"]
    # The prescription Maya waits on is in her history, and not correctable by Nurse Kim.
    assert "prescription" in pages["demo-02 types"]


def test_the_service_refuses_a_designees_change_to_a_signed_prescription(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "nurse.kim")
        course = course_of(web, "demo-02")
        events = web.get(f"/api/v1/courses/{course}/events").json()["events"]
        rx = next(e["event"] for e in reversed(events) if e["event"]["type"] == "prescription")
        # Through the page's own route, as a crafted form would post it.
        form = {"csrf_token": csrf, "target": rx["id"], "field": "daily_dose_mg",
                "value": "80", "reason": "dose typed wrong"}  # fmt: skip
        refused = web.post(f"/courses/{course}/amend", data=form)
        assert refused.status_code in (403, 422)
        voided = {"csrf_token": csrf, "form_key": "void", "date": TODAY.isoformat(),
                  "target_id": rx["id"], "reason": "written by mistake"}  # fmt: skip
        assert web.post(f"/courses/{course}/events", data=voided).status_code in (403, 422)
        # Through the API: 403, naming the field.
        answer = web.post(f"/api/v1/courses/{course}/events", headers={"X-CSRF-Token": csrf}, json={
            "id": "kim-void-1", "type": "void", "date": TODAY.isoformat(), "target_id": rx["id"],
            "reason": "written by mistake"})  # fmt: skip
        assert answer.status_code == 403
        assert "target_id" in answer.text
        after = web.get(f"/api/v1/courses/{course}/events").json()["events"]
    assert len(after) == len(events)  # nothing stored


def test_a_designee_still_corrects_what_she_records(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "nurse.kim")
        course = course_of(web, "demo-01")
        weight = {"csrf_token": csrf, "form_key": "weight", "date": TODAY.isoformat(),
                  "weight_kg": "46"}  # fmt: skip
        assert web.post(f"/courses/{course}/events", data=weight,
                        follow_redirects=False).status_code == 303  # fmt: skip
        events = web.get(f"/api/v1/courses/{course}/events").json()["events"]
        typed = events[-1]["event"]
        fix = {"csrf_token": csrf, "target": typed["id"], "field": "weight_kg", "value": "64",
               "reason": "digits typed the wrong way round"}  # fmt: skip
        done = web.post(f"/courses/{course}/amend", data=fix, follow_redirects=False)
    assert done.status_code == 303, done.text
