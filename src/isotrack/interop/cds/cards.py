"""Cards that need no course: enrol the patient, data not checked, an order not readable."""

from __future__ import annotations

from isotrack.interop.cds.card_parts import CardLinks, bullet_list, make_card
from isotrack.interop.cds.draft_orders import DraftOrder
from isotrack.interop.cds.models import Card


def enrol_card(hook_instance: str, links: CardLinks, ordering: bool) -> Card:
    """The patient has no isotretinoin course in isotrack: nothing could be checked."""
    detail = (
        "isotrack holds no isotretinoin course for this patient, so the pregnancy-prevention "
        "programme, the cumulative dose and the safety monitoring could not be checked. "
        "Enrol the patient and open a course before the first prescription."
    )
    return make_card(
        hook_instance, "enrol", "",
        summary="Patient not enrolled in isotrack: enrol before prescribing isotretinoin"
        if ordering else "Patient not enrolled in isotrack",
        indicator="warning" if ordering else "info",
        detail=detail, links=links, topic="Enrolment",
    )  # fmt: skip


def unchecked_card(hook_instance: str, links: CardLinks, unchecked: list[str]) -> Card:
    """Data the EHR did not send and isotrack could not fetch in time: say what went unchecked."""
    return make_card(
        hook_instance, "unchecked", "",
        summary="Not everything could be checked: " + "; ".join(unchecked),
        indicator="warning",
        detail="These checks were not done; treat them as unknown, not as passed:\n"
        + bullet_list(unchecked),
        links=links, topic="Checks not done",
    )  # fmt: skip


def unreadable_order_card(
    hook_instance: str, links: CardLinks, order: DraftOrder | None, problems: list[str]
) -> Card:
    """An isotretinoin order (or the draftOrders document) that could not be read fully."""
    key = order.key if order else "(draftOrders)"
    if order is None:
        what = "The draft orders"
    else:
        what = "The isotretinoin order" if order.medicine_known else "The order"
    return make_card(
        hook_instance, "unreadable-order", key,
        summary=f"{what} could not be read fully; isotrack could not check it",
        indicator="warning",
        detail=f"{what} ({key}) was not checked because:\n" + bullet_list(problems),
        links=links, topic="Order not readable",
    )  # fmt: skip
