"""The one storage API: open a database, read through query functions, write through `writes`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.schemas import OrganisationEntry
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.models import Alias, Organisation
from alliances.store.viewer import Viewer


def gazetteer(session: Session) -> list[OrganisationEntry]:
    """Every organisation with its aliases, kind and parent name: what extraction recognises."""
    names = {org_id: name for org_id, name in session.execute(select(Organisation.id, Organisation.name))}
    aliases: dict[int, list[str]] = {}
    for org_id, alias in session.execute(select(Alias.organisation_id, Alias.name)):
        aliases.setdefault(org_id, []).append(alias)
    return [
        {
            "name": org.name,
            "aliases": sorted(aliases.get(org.id, [])),
            "kind": org.kind,
            "parent": names.get(org.parent_id) if org.parent_id else None,
        }
        for org in session.scalars(select(Organisation).order_by(Organisation.id))
    ]


__all__ = ["Database", "Filters", "Viewer", "gazetteer"]
