"""Query parameters shared by the CLI, the pages and the API: parsed and validated once."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from alliances.errors import InvalidInput
from alliances.taxonomy import vocab

MAX_PER_PAGE = 500
ALLIANCE_SORTS = ("announced", "year", "type", "status", "title", "id", "amount")
ORGANISATION_SORTS = ("name", "kind", "country", "degree", "id")
PROJECT_SORTS = ("name", "announced", "year", "id")


@dataclass(frozen=True)
class Filters:
    q: str | None = None
    type: str | None = None
    technology: str | None = None
    stage: str | None = None
    area: str | None = None  # a therapeutic area: areas.yaml key, label or synonym, or a free tag
    status: str | None = None
    party: str | None = None
    kind: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    origin: str | None = None
    sort: str | None = None
    page: int = 1
    per_page: int = 50

    @classmethod
    def parse(cls, params: dict[str, Any], sorts: tuple[str, ...] = ALLIANCE_SORTS) -> Filters:
        """Build filters from loose strings (query parameters, CLI options); reject bad values."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in params.items() if k in known and v not in (None, "")}
        for name in ("year_from", "year_to", "page", "per_page"):
            if name in values:
                try:
                    values[name] = int(values[name])
                except (TypeError, ValueError) as exc:
                    raise InvalidInput(f"{name} must be a whole number, not {values[name]!r}") from exc
        filters = cls(**values)
        filters.validate(sorts)
        return filters

    def validate(self, sorts: tuple[str, ...] = ALLIANCE_SORTS) -> None:
        checks = {
            "type": "alliance_types",
            "technology": "technologies",
            "stage": "stages",
            "status": "statuses",
            "kind": "organisation_kinds",
        }
        for name, facet in checks.items():
            value = getattr(self, name)
            if value is not None:
                vocab(facet).check(value, name)
        if self.page < 1:
            raise InvalidInput("page must be 1 or more")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}")
        for name in ("year_from", "year_to"):
            year = getattr(self, name)
            if year is not None and not 1900 <= year <= 2100:
                raise InvalidInput(f"{name} must be a year between 1900 and 2100")
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise InvalidInput("year_from must not be after year_to")
        if self.country is not None and (len(self.country) != 2 or not self.country.isalpha()):
            raise InvalidInput(f"country must be a two-letter code, not {self.country!r}")
        if self.sort is not None and self.sort.lstrip("-") not in sorts:
            raise InvalidInput(f"sort must be one of {', '.join(sorts)} (prefix - for descending)")

    def with_page(self, page: int) -> Filters:
        return replace(self, page=page)

    def as_params(self) -> dict[str, Any]:
        """Non-default values, for building links that keep the current filters."""
        defaults = Filters()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(defaults, f.name)
        }
