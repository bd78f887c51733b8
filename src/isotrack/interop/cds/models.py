"""CDS Hooks 2.0 JSON as pydantic models: what a CDS client sends and what isotrack answers.

Requests are read tolerantly (unknown fields kept, ``prefetch`` values left as raw JSON, since
real clients send shapes no schema foresaw); responses are written strictly, so every card
isotrack emits satisfies the 2.0 rules and the 3.0 ballot's invariants.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SUMMARY_MAX_CHARS = 140

Indicator = Literal["info", "warning", "critical"]
SelectionBehavior = Literal["at-most-one", "any"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class FhirAuthorization(_Request):
    """The EHR's token for its own FHIR server; transient, never stored."""

    access_token: str = Field(min_length=1)
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str = ""
    subject: str = ""
    # Conditional in 2.0 (present with patient/ scopes); Medplum's type has no such field.
    patient: str | None = None


class HookRequest(_Request):
    hook: str = Field(min_length=1)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    # A key left out: the client did not fetch it (isotrack fetches it); ``None``: no data.
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirServer: required whenever fhirAuthorization is sent (cds-r-1)")
        return self


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Coding(_Response):
    system: str | None = None
    code: str
    display: str = Field(min_length=1)  # cds-resp-4


class Source(_Response):
    label: str = Field(min_length=1)
    url: str | None = None
    topic: Coding | None = None


class Action(_Response):
    type: Literal["create", "update", "delete"]
    description: str = Field(min_length=1)  # cds-resp-5
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(_Response):
    label: str = Field(min_length=1)
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] = Field(default_factory=list)


class Link(_Response):
    label: str = Field(min_length=1)
    url: str = Field(min_length=1)
    type: Literal["absolute", "smart"]
    appContext: str | None = None


class Card(_Response):
    uuid: str
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX_CHARS)
    detail: str | None = None
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: SelectionBehavior | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _selection_with_suggestions(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("selectionBehavior is required with suggestions (cds-resp-6)")
        return self


class HookResponse(_Response):
    cards: list[Card]
    systemActions: list[Action] = Field(default_factory=list)


class OverrideReason(_Request):
    reason: dict[str, Any] | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class FeedbackItem(_Request):
    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: str = Field(min_length=1)

    @model_validator(mode="after")
    def _accepted_names_suggestions(self) -> FeedbackItem:
        if self.outcome == "accepted" and not self.acceptedSuggestions:
            raise ValueError("acceptedSuggestions: required when outcome is accepted (cds-fb-2)")
        return self


class FeedbackRequest(_Request):
    feedback: list[FeedbackItem] = Field(min_length=1, max_length=50)


class ServiceDefinition(_Response):
    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str] = Field(default_factory=dict)
    usageRequirements: str | None = None
