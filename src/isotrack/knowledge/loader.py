"""Load and validate the knowledge base from ``knowledge/data/*.toml``.

Every top-level table name in a file is a section (``[[fact]]``, ``[[source]]``, ...). Ids are
unique across all files; every ``source_ids`` list anywhere must name known sources; every
source must be cited by something. Any violation raises :class:`KnowledgeError` listing all
problems at once, so a broken knowledge base never starts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from isotrack.knowledge.clinic_overlay import ClinicOverlay, lay_over
from isotrack.knowledge.model import Disagreement, Fact, Myth, Policy, Product, Source
from isotrack.knowledge.policy_inheritance import resolve_extended_policies
from isotrack.knowledge.sections import CROSS_CHECKS, all_sections

DATA_DIR = Path(__file__).parent / "data"

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")


class KnowledgeError(ValueError):
    """The knowledge base is invalid; ``problems`` lists each violation."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid knowledge base:\n- " + "\n- ".join(problems))


@dataclass(frozen=True)
class Knowledge:
    """The whole validated knowledge base. Engines receive it as an argument."""

    sections: Mapping[str, Mapping[str, BaseModel]]
    origin: Mapping[str, str] = field(default_factory=dict)  # record id -> file name

    models: Mapping[str, type[BaseModel]] = field(default_factory=dict)  # section -> type
    # Views that engines derive from the knowledge (indexes, resolved policies). The knowledge
    # never changes after loading, so each view is built once and shared by every request.
    _derived: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """The view stored under ``key``, built by ``build()`` on first use."""
        try:
            value: T = self._derived[key]
        except KeyError:
            value = self._derived[key] = build()
        return value

    def records(self, section: str, model: type[R]) -> Mapping[str, R]:
        """Records of one section by id, typed as ``model``.

        Engines call this in their hot paths, so the type is checked against the section's
        registered model (one comparison), not record by record.
        """
        found = self.sections.get(section, {})
        first = next(iter(found.values()), None)
        registered: type[BaseModel] = self.models.get(section) or (
            type(first) if first is not None else model
        )
        if not issubclass(registered, model):
            raise TypeError(
                f"section {section!r} holds {registered.__name__}, not {model.__name__}"
            )
        return found  # type: ignore[return-value]

    @property
    def sources(self) -> Mapping[str, Source]:
        return self.records("source", Source)

    @property
    def facts(self) -> Mapping[str, Fact]:
        return self.records("fact", Fact)

    @property
    def products(self) -> Mapping[str, Product]:
        return self.records("product", Product)

    @property
    def disagreements(self) -> Mapping[str, Disagreement]:
        return self.records("disagreement", Disagreement)

    @property
    def myths(self) -> Mapping[str, Myth]:
        return self.records("myth", Myth)

    @property
    def policies(self) -> Mapping[str, Policy]:
        return self.records("policy", Policy)

    def citations(self) -> dict[str, set[str]]:
        """Source id -> the records (``section:id``) that cite it."""
        cited: dict[str, set[str]] = {}
        for section, records in self.sections.items():
            if section == "source":
                continue
            for record_id, record in records.items():
                for source_id in cited_source_ids(record):
                    cited.setdefault(source_id, set()).add(f"{section}:{record_id}")
        return cited

    def fact(self, fact_id: str) -> Fact:
        try:
            return self.sections["fact"][fact_id]  # type: ignore[return-value]
        except KeyError:
            raise KeyError(f"no fact {fact_id!r} in the knowledge base") from None

    def number(self, fact_id: str) -> float:
        """The single value of a numeric fact.

        >>> load_knowledge().number("programme.max_days_supply")
        30.0
        """
        fact = self.fact(fact_id)
        if fact.value is None:
            raise ValueError(f"fact {fact_id!r} is not a single value (use bounds())")
        return fact.value

    def statement(self, fact_id: str) -> str:
        """The text of a cited statement (a fact with ``text`` rather than a number)."""
        fact = self.fact(fact_id)
        if fact.text is None:
            raise ValueError(f"fact {fact_id!r} is not a statement (use number() or bounds())")
        return fact.text

    def bounds(self, fact_id: str) -> tuple[float, float]:
        """The (low, high) of a range fact."""
        fact = self.fact(fact_id)
        if fact.low is None or fact.high is None:
            raise ValueError(f"fact {fact_id!r} is not a range (use number())")
        return fact.low, fact.high

    def product(self, product_id: str) -> Product:
        try:
            return self.products[product_id]
        except KeyError:
            known = ", ".join(sorted(self.products))
            raise KeyError(f"unknown product {product_id!r}; known products: {known}") from None

    def policy(self, policy_id: str) -> Policy:
        try:
            return self.policies[policy_id]
        except KeyError:
            known = ", ".join(sorted(self.policies))
            raise KeyError(f"unknown policy {policy_id!r}; known policies: {known}") from None

    def chosen_position(self, policy_id: str, disagreement_id: str) -> tuple[Disagreement, str]:
        """The disagreement and the position id a policy takes on it."""
        policy = self.policy(policy_id)
        disagreement = self.disagreements[disagreement_id]
        try:
            return disagreement, policy.positions[disagreement_id]
        except KeyError:
            raise KeyError(
                f"policy {policy_id!r} takes no position on {disagreement_id!r}"
            ) from None


CITING_FIELDS = ("source_ids", "claimed_by")


def cited_source_ids(value: Any) -> Iterator[str]:
    """Every id in any ``source_ids`` or ``claimed_by`` list inside a record, recursively.

    Works on validated records and on raw TOML tables alike, so tests that assemble a partial
    knowledge base find the sources it needs with the same walk the loader checks.
    """
    if isinstance(value, BaseModel):
        value = {name: getattr(value, name) for name in type(value).model_fields}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in CITING_FIELDS and isinstance(item, list):
                yield from item
            else:
                yield from cited_source_ids(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from cited_source_ids(item)


def _format_validation(file: str, section: str, index: int, raw: Any, exc: ValidationError) -> str:
    record_id = raw.get("id", f"#{index}") if isinstance(raw, dict) else f"#{index}"
    details = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(record)'}: {err['msg']}"
        for err in exc.errors()
    )
    return f"{file} [[{section}]] {record_id}: {details}"


def parse_knowledge(files: Mapping[str, str], overlay: ClinicOverlay | None = None) -> Knowledge:
    """Validate TOML texts (file name -> text) into a :class:`Knowledge`, with a clinic's
    settings laid over its policies first when ``overlay`` is given."""
    # Record types and cross-record checks register themselves when ``isotrack.knowledge``
    # is imported (``packaged`` imports the registry), which any import of this module does.
    problems: list[str] = []
    models = all_sections()
    sections: dict[str, dict[str, BaseModel]] = {name: {} for name in models}
    origin: dict[str, str] = {}
    for file_name, text in sorted(files.items()):
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{file_name}: not valid TOML: {exc}")
            continue
        for section, rows in document.items():
            if section not in models:
                known = ", ".join(sorted(models))
                problems.append(f"{file_name}: unknown section {section!r} (known: {known})")
                continue
            if not isinstance(rows, list):
                problems.append(f"{file_name}: section {section!r} must be an array of tables")
                continue
            for index, raw in enumerate(rows):
                try:
                    record = models[section].model_validate(raw)
                except ValidationError as exc:
                    problems.append(_format_validation(file_name, section, index, raw, exc))
                    continue
                record_id = str(getattr(record, "id"))  # noqa: B009 (records are typed per section)
                key = f"{section}:{record_id}"
                if record_id in sections[section]:
                    problems.append(
                        f"{file_name}: duplicate {section} id {record_id!r} "
                        f"(first in {origin[key]})"
                    )
                    continue
                sections[section][record_id] = record
                origin[key] = file_name
    if overlay is not None:
        problems.extend(lay_over(sections, origin, overlay))
    problems.extend(resolve_extended_policies(sections))
    knowledge = Knowledge(sections=sections, origin=origin, models=models)
    problems.extend(_cross_check(knowledge))
    if not problems:
        problems.extend(_registered_checks(knowledge))
    if problems:
        raise KnowledgeError(problems)
    return knowledge


def _registered_checks(knowledge: Knowledge) -> list[str]:
    """Run every registered cross-record check; a check that trips over the data is a problem
    in the data (listed with the others), never a crash at start."""
    problems: list[str] = []
    for check in CROSS_CHECKS:
        try:
            problems.extend(check(knowledge))
        except (KeyError, LookupError, ValueError, TypeError, AttributeError) as exc:
            problems.append(f"{check.__name__}: could not finish checking ({exc!r})")
    return problems


def _cross_check(knowledge: Knowledge) -> list[str]:
    problems: list[str] = []
    known_sources = set(knowledge.sources)
    cited = knowledge.citations()
    for section, records in knowledge.sections.items():
        if section == "source":
            continue
        for record_id, record in records.items():
            for source_id in cited_source_ids(record):
                if source_id not in known_sources:
                    problems.append(f"{section} {record_id!r} cites missing source {source_id!r}")
    for source_id in sorted(known_sources - set(cited)):
        problems.append(f"source {source_id!r} is cited by nothing")
    for policy in knowledge.policies.values():
        for disagreement_id, position_id in policy.positions.items():
            disagreement = knowledge.disagreements.get(disagreement_id)
            if disagreement is None:
                problems.append(
                    f"policy {policy.id!r} names missing disagreement {disagreement_id!r}"
                )
            elif position_id not in {p.id for p in disagreement.positions}:
                problems.append(
                    f"policy {policy.id!r} picks missing position {position_id!r} "
                    f"of {disagreement_id!r}"
                )
        for parameter, fact_id in policy.parameters.items():
            if fact_id not in knowledge.facts:
                problems.append(
                    f"policy {policy.id!r} parameter {parameter!r} names missing fact {fact_id!r}"
                )
    return problems


def read_data_files(directory: Path = DATA_DIR) -> dict[str, str]:
    return {
        path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.toml"))
    }
