"""``isotrack screen``: contraindications and interactions of given conditions, allergies and
medicines, with unknown terms listed rather than passed."""

from __future__ import annotations

from typing import Annotated

import typer

from isotrack.cli.output import console, emit_json, fail, fail_input
from isotrack.domain.errors import IsotrackInputError

# Imported only to run one of these commands (``command_index``), never to list them.
commands = typer.Typer()

EXIT_ABSOLUTE_CONTRAINDICATION = 3


@commands.command("screen")
def screen_command(
    condition: Annotated[
        list[str] | None, typer.Option("--condition", help="a condition (repeatable)")
    ] = None,
    allergy: Annotated[
        list[str] | None, typer.Option("--allergy", help="an allergy (repeatable)")
    ] = None,
    medication: Annotated[
        list[str] | None, typer.Option("--medication", help="a medicine (repeatable)")
    ] = None,
    age: Annotated[int | None, typer.Option("--age", help="age in completed years")] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="isotretinoin product id (excipients)")
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="policy whose positions apply")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Screen a patient before or during a course. Exit 3 on an absolute contraindication."""
    from isotrack.cli.monitoring_view import screening_view
    from isotrack.engines.monitoring import screen
    from isotrack.knowledge import load_knowledge

    knowledge = load_knowledge()
    if policy is not None and policy not in knowledge.policies:
        fail(f"--policy: unknown policy {policy!r}; known: {', '.join(sorted(knowledge.policies))}")
    if age is not None and age < 0:
        fail(f"--age: {age} is not an age; give completed years (0 or more)")
    try:
        report = screen(
            knowledge,
            conditions=condition or [],
            allergies=allergy or [],
            medications=medication or [],
            age_years=age,
            product=product,
            policy_id=policy,
        )
    except IsotrackInputError as exc:
        fail_input(exc)
    if as_json:
        emit_json(report)
    else:
        console.print(screening_view(report))
    if report.absolute:
        raise typer.Exit(EXIT_ABSOLUTE_CONTRAINDICATION)
