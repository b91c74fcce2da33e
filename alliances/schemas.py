"""The contracts, declared once as pydantic models: what a list accepts, what a record looks like.

FastAPI uses the filter models as query models and the `*Public` models as response models, so OpenAPI
shows the truth; the CLI builds the same filter models from its options; the store alone turns them into
SQL. Vocabularies come from `alliances/data/vocabulary.yaml` as enums (listed in OpenAPI and `--help`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Literal, NotRequired, TypeAlias, TypedDict, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from alliances.errors import InvalidInput
from alliances.taxonomy import vocab

MAX_PER_PAGE = 500
MAX_PAGE = 1_000_000
MAX_ID = 2**63 - 1
ALLIANCE_SORTS = ("announced", "year", "type", "status", "title", "id", "amount")
ORGANISATION_SORTS = ("name", "kind", "country", "degree", "id")
PROJECT_SORTS = ("name", "announced", "year", "id")


def vocabulary_enum(name: str, facet: str) -> type[StrEnum]:
    """An enum of a vocabulary's keys: the YAML file stays the one place a term is declared."""
    return StrEnum(name, {key: key for key in vocab(facet).keys})  # type: ignore[return-value]


def sort_enum(name: str, fields: tuple[str, ...]) -> type[StrEnum]:
    """`field` ascending or `-field` descending, every spelling listed."""
    members = {f: f for f in fields} | {f"desc_{f}": f"-{f}" for f in fields}
    return StrEnum(name, members)  # type: ignore[return-value]


if TYPE_CHECKING:  # to mypy they are strings (StrEnum members are); at run time, enums
    AllianceType: TypeAlias = str
    TechnologyKey: TypeAlias = str
    StageKey: TypeAlias = str
    StatusKey: TypeAlias = str
    OrganisationKind: TypeAlias = str
    AllianceSort: TypeAlias = str
    OrganisationSort: TypeAlias = str
    ProjectSort: TypeAlias = str
else:
    AllianceType = vocabulary_enum("AllianceType", "alliance_types")
    TechnologyKey = vocabulary_enum("TechnologyKey", "technologies")
    StageKey = vocabulary_enum("StageKey", "stages")
    StatusKey = vocabulary_enum("StatusKey", "statuses")
    OrganisationKind = vocabulary_enum("OrganisationKind", "organisation_kinds")
    AllianceSort = sort_enum("AllianceSort", ALLIANCE_SORTS)
    OrganisationSort = sort_enum("OrganisationSort", ORGANISATION_SORTS)
    ProjectSort = sort_enum("ProjectSort", PROJECT_SORTS)


class Origin(StrEnum):
    seed = "seed"
    real = "real"
    user = "user"
    extracted = "extracted"
    synthetic = "synthetic"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def drop_blank(data: Any) -> Any:
    """Blank form fields (`?type=`) mean "not given", as a reader expects."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None and v != ""}
    return data


class ListQuery(BaseModel):
    """Paging shared by every list; empty query parameters (blank form fields) mean "not given"."""

    model_config = ConfigDict(frozen=True, use_enum_values=True, extra="ignore")

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE, description=f"Items per page (1-{MAX_PER_PAGE})")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        return drop_blank(data)

    def with_page(self, page: int) -> Any:
        return self.model_copy(update={"page": page})

    def as_params(self) -> dict[str, str | int]:
        """Non-default values, for links that keep the current selection (paging last)."""
        values = self.model_dump(exclude_defaults=True)
        return {k: v for k, v in values.items() if k not in ("page", "per_page")} | {
            k: v for k, v in values.items() if k in ("page", "per_page")
        }

    def cache_key(self) -> Any:
        """The same selection whatever the page: one cached id list serves every page."""
        return self.model_copy(update={"page": 1, "per_page": 1})


class AllianceFilters(ListQuery):
    """Every filter of the alliance list, matrix, trends, network and exports (one meaning everywhere)."""

    q: str | None = Field(None, max_length=200, description="Text in titles, descriptions, parties, areas")
    type: AllianceType | None = Field(None, description="Alliance type")
    technology: TechnologyKey | None = Field(None, description="Technology")
    stage: StageKey | None = Field(None, description="Value-chain stage")
    status: StatusKey | None = Field(None, description="announced, active or terminated")
    party: str | None = Field(None, max_length=200, description="Organisation id or name (subsidiaries too)")
    kind: OrganisationKind | None = Field(None, description="Organisation kind of a party")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="Two-letter country of a party")
    year_from: int | None = Field(None, ge=1900, le=2100, description="First year (inclusive)")
    year_to: int | None = Field(None, ge=1900, le=2100, description="Last year (inclusive)")
    origin: Origin | None = Field(None, description="Where records come from (real, synthetic, ...)")
    area: str | None = Field(None, max_length=100, description="Therapeutic area contains, e.g. oncology")
    sort: AllianceSort | None = Field(None, description="Field to sort by; - prefix for descending")

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("q", "party", "area")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value else value

    @model_validator(mode="after")
    def _years_in_order(self) -> AllianceFilters:
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise ValueError("year_from must not be after year_to")
        return self


class ProjectFilters(AllianceFilters):
    """Projects take the alliance filters that apply to them (no type, status or party kinds)."""

    sort: ProjectSort | None = Field(None, description="Field to sort by; - prefix for descending")


class OrganisationFilters(ListQuery):
    q: str | None = Field(None, max_length=200, description="Name or alias contains")
    kind: OrganisationKind | None = Field(None, description="Organisation kind")
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="Two-letter country code")
    origin: Origin | None = None
    sort: OrganisationSort | None = Field("-degree", description="Field to sort by; - for descending")

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class RecommendationFilters(BaseModel):
    """The question asked of the recommender: an organisation (or none: a need) and what it needs."""

    model_config = ConfigDict(frozen=True, use_enum_values=True, extra="ignore")

    org: str | None = Field(None, max_length=200, description="Organisation name or id; omit for a need")
    technology: TechnologyKey | None = Field(None, description="Technology the partner should bring")
    stage: StageKey | None = Field(None, description="Value-chain stage")
    area: str | None = Field(None, max_length=100, description="Therapeutic area (oncology, diabetes, ...)")
    kind: OrganisationKind | None = Field(None, description="Partner kind")
    top: int = Field(10, ge=1, le=50, description="How many candidates (1-50)")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        return drop_blank(data)

    @field_validator("org", "area")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value else value


F = TypeVar("F", bound=BaseModel)


def problem(exc: ValidationError) -> str:
    """One line naming each bad field: `per_page: Input should be less than or equal to 500`."""
    return problem_of(exc.errors())


def problem_of(errors: Sequence[Any]) -> str:
    """The same line from pydantic's (or FastAPI's) list of errors."""
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path"))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if err.get("type") == "enum":
            message = _not_in_vocabulary(where, err.get("input"), str(err.get("ctx", {}).get("expected", "")))
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid input"


# Query parameters whose values come from a vocabulary: its own sentence names the term asked for.
FACET_OF = {
    "type": "alliance_types",
    "technology": "technologies",
    "stage": "stages",
    "status": "statuses",
    "kind": "organisation_kinds",
}


def _not_in_vocabulary(where: str, value: Any, expected: str) -> str:
    facet = FACET_OF.get(where)
    if facet is not None:
        try:
            vocab(facet).check(value)
        except InvalidInput as exc:
            return exc.message
    choices = expected.replace("'", "").replace(" or ", ", ")
    return f"{value!r} is not one of: {choices}"


def build(model: type[F], **values: Any) -> F:
    """A model from loose values (CLI options, code); bad values become one InvalidInput line."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(problem(exc)) from exc


# --- records as they go out ---------------------------------------------------------------------

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list and the total that matched."""

    items: list[T]
    total: int
    page: int = 1
    per_page: int = 50


class ErrorEnvelope(BaseModel):
    """Every error of the JSON API (400-599), one sentence in `error`."""

    ok: Literal[False] = False
    error: str
    status: int


class PartyPublic(BaseModel):
    id: int
    name: str
    kind: str
    country: str | None = None
    role: str | None = None


class Amount(BaseModel):
    value: float
    currency: str | None = None
    kind: str | None = None


class SourceRef(BaseModel):
    url: str | None = None
    title: str | None = None


class SourcePublic(SourceRef):
    id: int
    publisher: str | None = None
    date: str | None = None
    path: str | None = None
    language: str | None = None


class EvidencePublic(BaseModel):
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    source: SourcePublic


class EventPublic(BaseModel):
    kind: str
    date: str | None = None
    note: str | None = None


class AlliancePublic(BaseModel):
    """An alliance as every list, export and API route shows it."""

    id: int
    key: str | None = None
    title: str
    parties: list[PartyPublic]
    type: str
    technologies: list[str]
    stages: list[str]
    therapeutic_areas: list[str]
    announced: str | None = None
    year: int | None = None
    ended: str | None = None
    status: str | None = None
    amount: Amount | None = None
    vehicle: str | None = None
    vehicle_id: int | None = None
    origin: str
    source: SourceRef | None = None


class AllianceDetail(AlliancePublic):
    description: str | None = None
    visibility: str | None = None
    events: list[EventPublic] = []
    evidence: list[EvidencePublic] = []


class OrganisationSummary(BaseModel):
    """An organisation as the store lists it, with its number of alliances (`degree`)."""

    id: int
    name: str
    kind: str
    country: str | None = None
    parent_id: int | None = None
    degree: int | None = None
    origin: str | None = None


# An organisation in the API: a near match of a misspelt name also carries its `score`.
class OrganisationPublic(OrganisationSummary):
    score: float | None = None


class OrgRef(BaseModel):
    id: int
    name: str
    kind: str | None = None


class PartnerPublic(OrgRef):
    alliances: int


class ProjectRef(BaseModel):
    id: int
    name: str
    year: int | None = None


class EgoNode(BaseModel):
    id: int
    name: str
    kind: str
    alliances: int
    centre: bool
    x: float
    y: float


class EdgePublic(BaseModel):
    source: int
    target: int
    weight: int
    type: str
    types: str
    colour: str | None = None


class EgoNetwork(BaseModel):
    nodes: list[EgoNode]
    edges: list[EdgePublic]


class GroupAlliance(AlliancePublic):
    """An alliance on a group's profile, with the subsidiaries through which the group takes part."""

    via: list[str] = []


class OrganisationProfile(OrganisationPublic):
    alliances_total: int
    own_alliances: int = Field(0, description="Alliances signed itself, not via a subsidiary")
    group: list[str] = Field([], description="Subsidiaries whose alliances count in this profile")
    aliases: list[str]
    identifiers: dict[str, str]
    parent: OrgRef | None = None
    subsidiaries: list[OrgRef]
    alliances: list[GroupAlliance]
    partners: list[PartnerPublic]
    partners_by_year: dict[int, int]
    technologies: dict[str, int]
    stages: dict[str, int]
    therapeutic_areas: dict[str, int]
    types: dict[str, int]
    projects: list[ProjectRef]
    ego_network: EgoNetwork | None = None


class ProjectAmount(BaseModel):
    value: float
    currency: str | None = None


class ProjectPublic(BaseModel):
    id: int
    key: str | None = None
    name: str
    description: str | None = None
    owners: list[OrgRef]
    technologies: list[str]
    stages: list[str]
    therapeutic_areas: list[str]
    announced: str | None = None
    year: int | None = None
    amount: ProjectAmount | None = None
    figures: dict[str, float] = {}
    alliance_id: int | None = None
    origin: str | None = None


class ProjectDetail(ProjectPublic):
    evidence: list[EvidencePublic] = []


class SurveyFigure(BaseModel):
    key: str | None = None
    label_en: str | None = None
    label_fr: str | None = None
    value: float | None = None
    unit: str | None = None
    evidence: list[str | None] = []


class SurveyPublic(BaseModel):
    id: int
    key: str | None = None
    name: str
    publisher: str | None = None
    date: str | None = None
    source: SourcePublic | None = None
    figures: list[SurveyFigure]


class RecommendationPublic(BaseModel):
    organisation: str
    organisation_id: int
    kind: str
    score: float
    reasons: list[str]


class RecommendationQuery(BaseModel):
    org: str | None = None
    technology: str | None = None
    stage: str | None = None
    area: str | None = None
    kind: str | None = None


class RecommendationPage(Page[RecommendationPublic]):
    query: RecommendationQuery


class _CandidateBase(BaseModel):
    id: int
    state: str
    confidence: float | None = None
    type: str | None = None
    date: str | None = None
    source: str = Field("", description="The document it was read in, as readers recognise it")
    evidence: str | None = None
    alliance_id: int | None = None
    rumour: bool = False
    restates: str | None = None  # key of the alliance already in the knowledge base it restates


class CandidateSummary(_CandidateBase):
    """A candidate as the queue lists it: party names as stated."""

    parties: list[str]


class PartySuggestion(BaseModel):
    id: int
    name: str
    score: float


class CandidateParty(BaseModel):
    """A stated party and the organisation it resolves to, or the closest names and a guessed kind."""

    name: str
    organisation_id: int | None = None
    suggestions: list[PartySuggestion] = []
    kind_if_new: str


class CandidatePublic(_CandidateBase):
    """An extracted alliance waiting for review, with its parties resolved against the knowledge base."""

    record: dict[str, Any]  # the extraction record as stored (SCHEMA.md), passed through unchanged
    parties: list[CandidateParty]
    summary: CandidateSummary | None = None


class CandidateSummaryPage(Page[CandidateSummary]):
    pages: int = 1


class CandidatePage(Page[CandidatePublic]):
    pages: int = 1


class Accepted(BaseModel):
    """What accepting a candidate created (or, if it restates one, the alliance it joined)."""

    alliance_id: int
    alliance_key: str
    created: list[str]
    parties: list[str]
    restated: bool = False


class Rejected(BaseModel):
    rejected: int


class Edited(BaseModel):
    record: dict[str, Any]  # the corrected extraction record, passed through unchanged


class MatrixCell(BaseModel):
    technology: str
    stage: str
    count: int
    alliances: int
    projects: int
    href: str | None = None


class MatrixPublic(BaseModel):
    source: str
    technologies: list[str]
    stages: list[str]
    rows: list[list[int]]
    cells: list[MatrixCell]
    max: int
    records: int
    filters: dict[str, Any] = {}
    ignored_for_projects: list[str] | None = None


class PartnerSeries(BaseModel):
    parties: list[int]
    counts: dict[str, list[int]]
    shares: dict[str, list[float]]
    highlight: list[str]


class TerminationSeries(BaseModel):
    by_year: list[int]
    undated: int
    total: int


class TrendsPublic(BaseModel):
    years: list[int]
    total: list[int]
    by_type: dict[str, list[int]]
    by_technology: dict[str, list[int]]
    partners: PartnerSeries
    terminations: TerminationSeries


class RankedNode(BaseModel):
    id: int
    name: str
    kind: str
    country: str | None = None
    rank: int | None = None
    degree: int
    alliances: int
    betweenness: float
    eigenvector: float


class DrawnNode(RankedNode):
    x: float
    y: float
    colour: str | None = None


class Graph(BaseModel):
    nodes: list[DrawnNode]
    edges: list[EdgePublic]


class NetworkSummary(BaseModel):
    nodes: int
    edges: int
    approximate: bool
    samples: int | None = None


class NetworkPublic(Page[RankedNode]):
    by: str
    top: int
    query: dict[str, Any]
    summary: NetworkSummary
    graph: Graph


class Stats(BaseModel):
    model_config = ConfigDict(extra="allow")

    organisations: int
    alliances: int
    projects: int
    sources: int
    evidence: int
    surveys: int
    candidates_pending: int
    alliances_by_origin: dict[str, int]
    alliances_by_type: dict[str, int]
    organisations_by_kind: dict[str, int]
    years: dict[str, int | None]


class OverviewPublic(BaseModel):
    stats: Stats
    latest: list[AlliancePublic]
    connected: list[OrganisationPublic]
    matrix: MatrixPublic


class Health(BaseModel):
    ok: bool
    version: str
    database: str
    alliances: int


# --- records as they come in --------------------------------------------------------------------


def _checked(facet: str, value: Any) -> str:
    """A vocabulary key, or a ValueError with the vocabulary's own sentence."""
    try:
        return vocab(facet).check(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc


def _date(value: Any) -> str | None:
    """A partial date (YYYY, YYYY-MM, YYYY-MM-DD) that exists, or a ValueError saying why not."""
    from alliances.store.dates import check_partial_date

    try:
        return check_partial_date(value, "date")
    except InvalidInput as exc:
        raise ValueError(exc.message.removeprefix("date: ")) from exc


def _listed(value: Any) -> Any:
    """Tags come as a list or as one "a, b; c" string (CSV cells)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if not isinstance(value, list):
        raise ValueError("must be a list")
    return value


class TagsIn(BaseModel):
    """Technologies and stages from the vocabulary; therapeutic areas are free text, lower-cased."""

    model_config = ConfigDict(extra="ignore")

    technologies: list[str] = []
    stages: list[str] = []
    therapeutic_areas: list[str] = []

    @field_validator("technologies", "stages", "therapeutic_areas", mode="before")
    @classmethod
    def _as_list(cls, value: Any) -> Any:
        return _listed(value)

    @field_validator("technologies")
    @classmethod
    def _technologies(cls, values: list[str]) -> list[str]:
        return [_checked("technologies", v) for v in values]

    @field_validator("stages")
    @classmethod
    def _stages(cls, values: list[str]) -> list[str]:
        return [_checked("stages", v) for v in values]

    @field_validator("therapeutic_areas")
    @classmethod
    def _areas(cls, values: list[str]) -> list[str]:
        # Folded into the areas.yaml vocabulary ("breast cancer" → oncology); unknown terms stay free tags.
        from alliances.taxonomy.areas import canonical_area

        return list(dict.fromkeys(canonical_area(str(v)) for v in values if str(v).strip()))


class AmountIn(BaseModel):
    value: float = Field(ge=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    kind: str = "total"

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, value: Any) -> float:
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{value!r} is not a number") from exc

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return str(value).upper() if value else None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        return _checked("amount_kinds", value or "total")


class PartyIn(BaseModel):
    """A party: a plain name, or an object with name (as stated), canonical name, role, kind or id."""

    name: str = ""
    stated: str | None = None
    role: str = "partner"
    kind: str | None = None
    id: int | None = Field(None, ge=1, le=MAX_ID)

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"name": data.strip()}
        if isinstance(data, dict):
            name = str(data.get("canonical") or data.get("name") or "").strip()
            return {**data, "name": name, "stated": data.get("name"), "role": data.get("role") or "partner"}
        raise ValueError("a party must be a name or an object with a name")

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        return _checked("party_roles", value)


class EventIn(BaseModel):
    kind: str
    date: str | None = None
    note: str | None = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        return _checked("event_kinds", value)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> str | None:
        return _date(value)


class AllianceIn(TagsIn):
    """An alliance as it comes in (SCHEMA.md records plus knowledge-base fields), validated whole."""

    key: str | None = None
    title: str | None = None
    description: str | None = None
    parties: list[PartyIn]
    type: str
    status: str | None = None
    announced: str | None = None
    ended: str | None = None
    amount: AmountIn | None = None
    visibility: str = "public"
    vehicle: str | None = None
    owner_id: StrictInt | str | None = None  # a boolean is not an id; `check_owner` checks the rest
    events: list[EventIn] = []
    evidence_records: list[dict[str, Any]] = []

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        """SCHEMA.md says `date` and `end_date`; the knowledge base says `announced` and `ended`."""
        if not isinstance(data, dict):
            raise ValueError("an alliance must be an object")
        data = dict(data)
        data.setdefault("announced", data.get("date"))
        data["ended"] = data.get("ended", data.get("end_date"))
        if data.get("amount") in ("", {}):
            data["amount"] = None
        data["events"] = data.get("events") or []
        data["vehicle"] = str(data.get("vehicle") or "").strip() or None
        data["key"] = data.get("key") or None
        return data

    @field_validator("parties", mode="before")
    @classmethod
    def _two_parties(cls, value: Any) -> Any:
        if not isinstance(value, list) or len(value) < 2:
            raise ValueError("an alliance needs at least two parties")
        return value

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> str:
        return _checked("alliance_types", value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> str | None:
        return None if value is None else _checked("statuses", value)

    @field_validator("visibility", mode="before")
    @classmethod
    def _visibility(cls, value: Any) -> str:
        return _checked("visibilities", value or "public")

    @field_validator("announced", "ended", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> str | None:
        return _date(value)


def parse_record(model: type[F], record: Any, where: str) -> F:
    """A record checked against its model; the first problems, as one line starting with `where`."""
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {problem(exc)}") from exc


# --- s10c: network, neighbourhood and analytics results -----------------------------------------

# Filters as query parameters (only those set): strings and vocabulary keys, years, and rollup.
QueryParams = dict[str, str | int | bool]


class NeighbourRef(BaseModel):
    id: int
    name: str | None = None


class Neighbour(NeighbourRef):
    alliances: int = Field(description="Alliances with the organisation")


class SecondNeighbour(NeighbourRef):
    paths: int = Field(description="Paths to the organisation through its partners")


class Neighbourhood(BaseModel):
    """An organisation's partners (1 hop) and their partners (2 hops), strongest first."""

    organisation: NeighbourRef
    partners_total: int
    partners: list[Neighbour]
    second_total: int
    second: list[SecondNeighbour]
    # s16e: the second hop is followed through the strongest partners only, up to a work budget, so a
    # hub's neighbourhood stays bounded; `second_total` then counts what those partners reach.
    second_through: int = Field(0, description="Partners the second hop was followed through")
    second_truncated: bool = Field(
        False, description="True when second_through < partners_total: 2 hops through the strongest partners"
    )


# --- s16c: the store's alliance records (store/queries.py returns these, routes serve them) ---------


class SummarySource(SourceRef):
    """The first source of an alliance; `path` (a local file) is for the CLI and exports, not the API."""

    path: str | None = None


class AllianceSummary(AlliancePublic):
    """An alliance as the store summarises it: AlliancePublic, with the local path of its source."""

    source: SummarySource | None = None


class AllianceRecord(AllianceSummary):
    """One alliance with events and evidence, and its owner (for exports and the CLI; not the API)."""

    description: str | None = None
    visibility: str | None = None
    owner_id: int | None = None
    events: list[EventPublic] = []
    evidence: list[EvidencePublic] = []


# --- t10x (issue 10): the gazetteer entry the store hands to extraction ---


class OrganisationEntry(TypedDict):
    """An organisation extraction recognises: a plain mapping, pickled to worker processes."""

    name: str
    aliases: NotRequired[list[str]]
    kind: NotRequired[str | None]
    parent: NotRequired[str | None]


# A JSON object as read from an import file or the bundled real alliances, before `AllianceIn` checks it:
# any keys, JSON values (add_alliance validates; `store.check` reports what is wrong, line by line).
RawRecord: TypeAlias = dict[str, JsonValue]
# --- t10o: the store's organisation records (store/organisations.py returns these) ----------------


class OrganisationMatch(OrganisationSummary):
    """A near match of a misspelt name, with its similarity (0-100)."""

    score: float


class NamedRef(BaseModel):
    id: int
    name: str


class GroupAllianceSummary(AllianceSummary):
    """An alliance on a group's profile, with the subsidiaries through which the group takes part."""

    via: list[str] = []


class OrganisationRecord(OrganisationSummary):
    """The store's profile; the API serves it as OrganisationProfile (with the ego network)."""

    alliances_total: int
    own_alliances: int
    group: list[str]
    aliases: list[str]
    identifiers: dict[str, str]
    parent: NamedRef | None = None
    subsidiaries: list[OrgRef]
    alliances: list[GroupAllianceSummary]
    partners: list[PartnerPublic]
    partners_by_year: dict[int, int]
    technologies: dict[str, int]
    stages: dict[str, int]
    therapeutic_areas: dict[str, int]
    types: dict[str, int]
    projects: list[ProjectRef]
