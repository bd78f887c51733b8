"""For the patient: why contraception continues for a month after the last capsule, in plain
words, with the estimated washout curve and the sources named as people would name them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

from isotrack.engines.pk.report import PkReport
from isotrack.knowledge import Knowledge
from isotrack.web.biology_charts import levels_chart
from isotrack.web.i18n import N_, Speaker, speaker
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


# The words of this section, in the catalogues (``message_catalogue``); the figures are put in
# by the patient's language's own number format.
NOT_STARTED = (
    N_("Isotretinoin can seriously harm an unborn baby. That is why contraception starts before "
       "the first capsule and continues for a month after the last one."),
    N_("Once you have started your capsules, this section shows an estimate of how quickly "
       "your body clears the medicine after the last one."),
)  # fmt: skip
CLEARING = N_(
    "Isotretinoin can seriously harm an unborn baby. After your last capsule the medicine does "
    "not vanish at once: your body clears it step by step. About half is gone every %(hours)s "
    "hours, and your body turns part of it into a related substance (4-oxo-isotretinoin) that "
    "halves about every %(oxo_hours)s hours."
)
NATURAL = N_(
    "Everyone's blood naturally holds a tiny amount of both, made from vitamin A. Our estimate "
    "is that both are back to those natural amounts about %(days)s days after the last capsule."
)
NOT_NATURAL = N_(
    "Our estimate does not reach natural amounts within two months; please ask your prescriber."
)
RULE = N_(
    "The rule asks you to keep using contraception for %(days)s days (one month) after your "
    "last capsule."
)
RULE_COVERS = N_(
    "That is longer than the estimate, which leaves a safety margin: the estimate is an "
    "average, and one person's body can clear the medicine more slowly."
)
RULE_SHORT = N_("The estimate is longer than the rule; please talk to your prescriber.")
ESTIMATE_ONLY = N_(
    "The chart assumes your latest capsule were your last. It is an estimate for explanation, "
    "not a test of your own blood."
)
MARK_NATURAL = N_("natural after ~%(days)s days")
MARK_RULE = N_("rule: %(days)s days")
CHART_TITLE = N_("After the last capsule: estimated levels and the one-month rule")


def washout_explained(
    knowledge: Knowledge, report: PkReport | None, words: Speaker | None = None
) -> WashoutExplained:
    """The section in the patient's language (English when ``words`` is not given)."""
    words = words or speaker("en")
    say = words.gettext
    if report is None or report.washout is None or report.first_dose_date is None:
        return WashoutExplained([say(text) for text in NOT_STARTED])
    w = report.washout
    rule = next((r for r in w.rules if r.rule == CONTRACEPTION_RULE), None)
    half_life = words.number(report.single_dose.t_half_h)
    oxo_half_life = words.number(report.metabolite_single_dose.t_half_h)
    slowest = max(w.isotretinoin_days or 0.0, w.oxo_isotretinoin_days or 0.0)
    known = w.isotretinoin_days is not None and w.oxo_isotretinoin_days is not None
    paragraphs = [
        say(CLEARING) % {"hours": half_life, "oxo_hours": oxo_half_life},
        say(NATURAL) % {"days": words.number(slowest)} if known else say(NOT_NATURAL),
    ]
    if rule is not None:
        paragraphs.append(
            say(RULE) % {"days": words.number(rule.rule_days)}
            + " "
            + say(RULE_COVERS if rule.covered else RULE_SHORT)
        )
    paragraphs.append(say(ESTIMATE_ONLY))
    start_h = max(report.dose_times_h)
    end_h = start_h + ((rule.rule_days if rule else slowest) + MARGIN_DAYS) * HOURS_PER_DAY
    kept = [i for i, t in enumerate(report.curve.time_h) if start_h <= t <= end_h]
    last_day = report.first_dose_date + dt.timedelta(days=int(start_h // HOURS_PER_DAY))
    marks: list[tuple[float, str]] = []
    if known:
        marks.append((slowest, say(MARK_NATURAL) % {"days": words.number(slowest)}))
    if rule is not None:
        marks.append((float(rule.rule_days), say(MARK_RULE) % {"days": rule.rule_days}))
    chart = levels_chart(
        time_h=[report.curve.time_h[i] for i in kept],
        isotretinoin=[report.curve.isotretinoin_ng_per_ml[i] for i in kept],
        oxo=[report.curve.oxo_isotretinoin_ng_per_ml[i] for i in kept],
        first_day=last_day,
        marked_days=[],
        vertical_rules=marks,
        chart_id="washout-chart",
        title=say(CHART_TITLE),
        words=words if words.translated else None,
    )
    cited = [*w.source_ids, *(rule.source_ids if rule else [])]
    return WashoutExplained(paragraphs, chart, plain_sources(knowledge, cited, words))
