"""For the patient: why contraception continues for a month after the last capsule, in plain
words, with the estimated washout curve and the sources named as people would name them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

from isotrack.engines.pk.report import PkReport
from isotrack.knowledge import Knowledge
from isotrack.web.biology_charts import levels_chart
from isotrack.web.plain_sources import PlainSource, plain_sources

HOURS_PER_DAY = 24
CONTRACEPTION_RULE = "contraception_after_last_dose"
# Days drawn after the rule's end, so the rule's line is not on the chart's edge (layout only).
MARGIN_DAYS = 5


@dataclass
class WashoutExplained:
    paragraphs: list[str]
    chart: Markup | None = None
    sources: list[PlainSource] = field(default_factory=list)


def washout_explained(knowledge: Knowledge, report: PkReport | None) -> WashoutExplained:
    if report is None or report.washout is None or report.first_dose_date is None:
        return WashoutExplained(
            [
                "Isotretinoin can seriously harm an unborn baby. That is why contraception "
                "starts before the first capsule and continues for a month after the last one.",
                "Once you have started your capsules, this section shows an estimate of how "
                "quickly your body clears the medicine after the last one.",
            ]
        )
    w = report.washout
    rule = next((r for r in w.rules if r.rule == CONTRACEPTION_RULE), None)
    half_life = report.single_dose.t_half_h
    oxo_half_life = report.metabolite_single_dose.t_half_h
    slowest = max(w.isotretinoin_days or 0.0, w.oxo_isotretinoin_days or 0.0)
    known = w.isotretinoin_days is not None and w.oxo_isotretinoin_days is not None
    paragraphs = [
        "Isotretinoin can seriously harm an unborn baby. After your last capsule the medicine "
        "does not vanish at once: your body clears it step by step. About half is gone every "
        f"{half_life:.0f} hours, and your body turns part of it into a related substance "
        f"(4-oxo-isotretinoin) that halves about every {oxo_half_life:.0f} hours.",
        (
            "Everyone's blood naturally holds a tiny amount of both, made from vitamin A. Our "
            f"estimate is that both are back to those natural amounts about {slowest:.0f} days "
            "after the last capsule."
            if known
            else "Our estimate does not reach natural amounts within two months; please ask "
            "your prescriber."
        ),
    ]
    if rule is not None:
        paragraphs.append(
            f"The rule asks you to keep using contraception for {rule.rule_days} days (one "
            "month) after your last capsule. "
            + (
                "That is longer than the estimate, which leaves a safety margin: the estimate "
                "is an average, and one person's body can clear the medicine more slowly."
                if rule.covered
                else "The estimate is longer than the rule; please talk to your prescriber."
            )
        )
    paragraphs.append(
        "The chart assumes your latest capsule were your last. It is an estimate for "
        "explanation, not a test of your own blood."
    )
    start_h = max(report.dose_times_h)
    end_h = start_h + ((rule.rule_days if rule else slowest) + MARGIN_DAYS) * HOURS_PER_DAY
    kept = [i for i, t in enumerate(report.curve.time_h) if start_h <= t <= end_h]
    last_day = report.first_dose_date + dt.timedelta(days=int(start_h // HOURS_PER_DAY))
    marks: list[tuple[float, str]] = []
    if known:
        marks.append((slowest, f"natural after ~{slowest:.0f} days"))
    if rule is not None:
        marks.append((float(rule.rule_days), f"rule: {rule.rule_days} days"))
    chart = levels_chart(
        time_h=[report.curve.time_h[i] for i in kept],
        isotretinoin=[report.curve.isotretinoin_ng_per_ml[i] for i in kept],
        oxo=[report.curve.oxo_isotretinoin_ng_per_ml[i] for i in kept],
        first_day=last_day,
        marked_days=[],
        vertical_rules=marks,
        chart_id="washout-chart",
        title="After the last capsule: estimated levels and the one-month rule",
    )
    cited = [*w.source_ids, *(rule.source_ids if rule else [])]
    return WashoutExplained(paragraphs, chart, plain_sources(knowledge, cited))
