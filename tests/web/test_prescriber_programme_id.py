"""A prescriber's programme id (the iPLEDGE prescriber id) typed once, on the account
(issue 17): Dr Lee saves hers on her account page, every prescription form then starts with
it, and the prescription she signs records it. A malformed id is refused at the field and
nothing changes; an admin keeps Dr Patel's from the console; a designee cannot keep one."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from demo_store import Demo, demo_store, page_client, sign_in
from fastapi.testclient import TestClient

os.environ.setdefault("ISOTRACK_PASSWORD_HASH_PROFILE", "CHEAPEST")
TODAY = dt.date(2026, 10, 15)
LEE_ID = "IPL-PR 004417"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return demo_store(tmp_path_factory.mktemp("programme-id"), TODAY)


def client(demo: Demo) -> TestClient:
    return page_client(demo.url, lambda: TODAY)


def signed_in(web: TestClient, demo: Demo, username: str) -> str:
    return sign_in(web, username, demo.passwords[username])


def prescription_field(page: str) -> str:
    found = re.search(r'<input[^>]*id="form-prescription-prescriber_id"[^>]*>', page)
    assert found is not None, "no programme id field on the prescription form"
    return found.group(0)


def test_the_id_kept_on_the_account_fills_the_form_and_is_recorded(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "dr.lee")
        jonas = web.get("/api/v1/patients/demo-01").json()["courses"][-1]["id"]
        before = web.get(f"/courses/{jonas}?tab=dose").text
        assert 'value=""' in prescription_field(before)  # nothing kept yet: an empty field

        typed = {"csrf_token": csrf, "programme_id": f"  {LEE_ID} "}  # spaces around are dropped
        saved = web.post("/account/programme-id", data=typed)
        assert saved.status_code == 200 and "Your programme id is saved" in saved.text
        assert f'value="{LEE_ID}"' in saved.text

        form = web.get(f"/courses/{jonas}?tab=dose").text
        assert f'value="{LEE_ID}"' in prescription_field(form)

        # Jonas cannot get pregnant: no test gates the prescription; warnings are confirmed.
        rx = {"csrf_token": csrf, "date": TODAY.isoformat(), "product": "claravis",
              "daily_dose_mg": "40", "days_supply": "30", "prescriber_id": LEE_ID,
              "confirm_warnings": "yes"}  # fmt: skip
        signed = web.post(f"/courses/{jonas}/prescriptions", data=rx, follow_redirects=False)
        assert signed.status_code == 303, signed.text
        events = web.get(f"/api/v1/courses/{jonas}/events").json()
    prescriptions = [e for e in events["events"] if e["event"]["type"] == "prescription"]
    assert prescriptions[-1]["event"]["prescriber_id"] == LEE_ID


def test_a_malformed_id_is_refused_at_the_field_and_the_kept_one_stays(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "dr.patel")
        web.post("/account/programme-id", data={"csrf_token": csrf, "programme_id": "P-77"})
        refused = web.post(
            "/account/programme-id", data={"csrf_token": csrf, "programme_id": "<script>"}
        )
        assert refused.status_code == 422
        error = re.search(
            r'<span class="field-error" id="programme_id-error">([^<]*)', refused.text
        )
        assert error is not None
        assert "letters, digits" in error.group(1) and "&lt;script&gt;" in error.group(1)
        page = web.get("/account/security").text
    assert 'value="P-77"' in page


def test_an_admin_keeps_a_prescribers_id_and_a_designee_cannot_keep_one(demo: Demo) -> None:
    with client(demo) as web:
        csrf = signed_in(web, demo, "admin")
        accounts = web.get("/admin/accounts").text
        row = re.search(r'<tr data-username="dr.patel">.*?</tr>', accounts, re.S)
        assert row is not None
        action = re.search(r'action="(/admin/accounts/[^"]+/programme-id)"', row.group(0))
        assert action is not None
        saved = web.post(action.group(1), data={"csrf_token": csrf, "programme_id": "P-9001"})
        assert saved.status_code == 200
        row = re.search(r'<tr data-username="dr.patel">.*?</tr>', saved.text, re.S)
        assert row is not None and "programme id P-9001" in row.group(0)
    with client(demo) as web:
        csrf = signed_in(web, demo, "nurse.kim")
        assert 'id="programme-id"' not in web.get("/account/security").text
        refused = web.post("/account/programme-id", data={"csrf_token": csrf, "programme_id": "X1"})
        assert refused.status_code == 403
