"""A knowledge base for the monitoring tests, independent of files other engines are editing.

It holds the monitoring data files, the shared disagreements and myths, every source they cite,
and test policies whose positions each test picks on purpose. Timelines are built with
the helpers of ``monitoring_cases.py``.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import pytest

import isotrack.knowledge.monitoring  # (registers the monitoring sections)
import isotrack.knowledge.safety  # noqa: F401  (registers clinical holds and pregnancy findings)
from isotrack.knowledge import Knowledge
from isotrack.knowledge.loader import cited_source_ids, parse_knowledge, read_data_files

MONITORING_FILES = (
    "labs.toml",
    "labs_enzymes.toml",
    "labs_blood_count.toml",
    "side_effects.toml",
    "screening.toml",
    "risk_factors.toml",
    "mood.toml",
    "monitoring_sources.toml",
    "safety.toml",
)
SHARED_FILES = ("disagreements.toml", "myths.toml", "products.toml", "dosing.toml")

# Test policies, under test ids only: a real id here would be a second, private copy of a
# policy that knowledge/data/policies.toml owns (and could drift from it).
TEST_POLICIES = """
[[policy]]
id = "test-uk"
title = "UK (test copy)"
market = "UK"
programme = "test"
edition = "test"
source_ids = ["isotrack-decisions"]

[policy.positions]
tg_pancreatitis_hold = "bnf_9_mmol_l"
lab_schedule = "eu_smpc"
abnormal_labs_stop_rule = "single_parameter_3x_uln"
soy_peanut_allergy = "eu_contraindicated"

[[policy]]
id = "test-eu"
title = "EU label schedule, single-parameter stop rule"
market = "EU"
programme = "test"
edition = "test"
source_ids = ["isotrack-decisions"]

[policy.positions]
tg_pancreatitis_hold = "ctcae_grade4_1000_mg_dl"
lab_schedule = "eu_smpc"
abnormal_labs_stop_rule = "single_parameter_3x_uln"
soy_peanut_allergy = "eu_contraindicated"

[[policy]]
id = "test-seed"
title = "The seed article's positions"
market = "test"
programme = "test"
edition = "test"
source_ids = ["isotrack-decisions"]

[policy.positions]
lab_schedule = "seed_article"
abnormal_labs_stop_rule = "seed_multi_parameter"
soy_peanut_allergy = "seed_relative_supervised_first_dose"

[[policy]]
id = "test-us"
title = "US label schedule, label stop wording"
market = "US"
programme = "test"
edition = "test"
source_ids = ["isotrack-decisions"]

[policy.positions]
lab_schedule = "us_label"
abnormal_labs_stop_rule = "label_not_normalising"

[[policy]]
id = "test-delphi"
title = "Delphi schedule"
market = "test"
programme = "test"
edition = "test"
source_ids = ["isotrack-decisions"]

[policy.positions]
lab_schedule = "delphi_2022"
abnormal_labs_stop_rule = "single_parameter_3x_uln"
"""


def _sources_toml(records: list[dict[str, Any]]) -> str:
    """Flat source records back to TOML (JSON strings are valid TOML basic strings)."""
    lines: list[str] = []
    for record in records:
        lines.append("[[source]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in record.items())
        lines.append("")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    packaged = read_data_files()
    files = {name: packaged[name] for name in (*MONITORING_FILES, *SHARED_FILES)}
    files["test_policies.toml"] = TEST_POLICIES
    documents = [tomllib.loads(text) for text in files.values()]
    needed = set(cited_source_ids(documents))
    defined_here = {s["id"] for document in documents for s in document.get("source", [])}
    borrowed = [
        source
        for name, text in packaged.items()
        if name not in files
        for source in tomllib.loads(text).get("source", [])
        if source["id"] in needed - defined_here
    ]
    files["borrowed_sources.toml"] = _sources_toml(borrowed)
    return parse_knowledge(files)
