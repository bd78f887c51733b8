"""Done-when of issue 13, end to end: a clinic imports a course its EHR sends as a FHIR Bundle
(``isotrack import --format fhir``), registers the EHR (``isotrack cds-client add``), and the
EHR's order-sign call for that Patient, signed with PyJWT, gets the cards the engines give for
the original course: what the ordered supply adds to the cumulative dose, what will block
dispensing, the critical alerts (with override reasons) and the labs due."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
from service_clinic import Clinic
from test_fhir_import_export import AS_OF, ehr_bundle, import_bundle
from typer.testing import CliRunner

from isotrack.cli import app
from isotrack.domain.timeline import load_timeline
from isotrack.engines.assessment import Assessment, assess
from isotrack.engines.programme.report import Requirement, RequirementStatus
from isotrack.knowledge import load_knowledge
from isotrack.knowledge.monitoring import Severity
from isotrack.server import create_app
from isotrack.service.settings import Settings

sys.path.insert(0, str(Path(__file__).parent.parent / "cds"))

from card_rules import broken_rules
from cds_support import SigningClient, medication_order, order_sign, serving

runner = CliRunner()
SIGN = "isotrack-order-sign"
DAILY_MG, DAYS = 40, 30


def registered_ehr(tmp_path: Path, database_url: str) -> SigningClient:
    ehr = SigningClient.es384("https://ehr.hospital.example.org")
    jwks = tmp_path / "ehr-jwks.json"
    jwks.write_text(json.dumps(ehr.jwks()), encoding="utf-8")
    added = runner.invoke(app, [
        "cds-client", "add", "--issuer", ehr.issuer, "--jwks-file", str(jwks),
        "--fhir-server-host", "127.0.0.1", "--database-url", database_url,
    ])  # fmt: skip
    assert added.exit_code == 0, added.output
    return ehr


def blocking_requirements(expected: Assessment) -> list[Requirement]:
    return [
        r for r in expected.programme.requirements
        if r.gates_dispense and r.status in (RequirementStatus.UNMET, RequirementStatus.DUE)
    ]  # fmt: skip


def expected_topics(expected: Assessment) -> list[str]:
    """The cards the engines' answers call for, by topic."""
    monitoring = expected.monitoring
    holds = {h.alert_id for h in monitoring.safety.clinical_holds}
    critical = [a for a in monitoring.alerts if a.severity is Severity.CRITICAL or a.id in holds]
    blocking = blocking_requirements(expected)
    labs = [d for d in monitoring.labs_due if d.status in ("due", "overdue")]
    return (["alert"] * len(critical) + ["regimen"] + ["programme"] * bool(blocking)
            + ["labs"] * bool(labs))  # fmt: skip


def test_an_ehr_order_sign_on_an_imported_course_gets_the_engines_cards(
    clinic: Clinic, database_url: str, tmp_path: Path
) -> None:
    document, bundle = ehr_bundle()
    course_id = import_bundle(tmp_path, database_url, bundle)
    ehr = registered_ehr(tmp_path, database_url)
    expected = assess(load_knowledge(), load_timeline(document), AS_OF)
    settings = Settings(database_url=database_url, secret_key="test-secret-key-0123456789")
    with serving(create_app(settings, today=lambda: AS_OF)) as base:
        url = f"{base}/cds-services/{SIGN}"
        order = medication_order(DAYS, DAILY_MG, product_code="roaccutane")
        order["subject"] = {"reference": "Patient/ehr-4711"}
        body = order_sign("ehr-4711", [order])
        response = httpx.post(url, json=body, headers=ehr.auth(url), timeout=30)
        unknown = httpx.post(url, json=order_sign("ehr-9999", [order]),
                             headers=ehr.auth(url), timeout=30)  # fmt: skip
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert broken_rules(answer) == []
    cards = answer["cards"]
    kinds = [c["source"]["topic"]["code"] for c in cards]
    assert sorted(kinds) == sorted(expected_topics(expected))
    regimen = next(c for c in cards if c["source"]["topic"]["code"] == "regimen")
    # The EHR's course carries no body weight: the cumulative dose is given in mg, and said so.
    assert expected.dose.latest_weight_kg is None
    after_mg = (expected.dose.cumulative_mg or 0.0) + DAILY_MG * DAYS
    assert regimen["summary"] == (
        f"{DAILY_MG} mg/day × {DAYS} days: cumulative {after_mg:.0f} mg "
        "(no weight recorded: mg/kg unknown)"
    )
    programme = next(c for c in cards if c["source"]["topic"]["code"] == "programme")
    for requirement in blocking_requirements(expected):
        assert requirement.title in programme["detail"]
    for card in cards:
        assert card["links"][0]["url"] == f"{base}/courses/{course_id}"
        if card["indicator"] == "critical":
            assert card["overrideReasons"]
    # A Patient isotrack has no course for: one card inviting enrolment, not an error.
    assert unknown.status_code == 200
    assert [c["source"]["topic"]["code"] for c in unknown.json()["cards"]] == ["enrol"]
