"""Merging two organisations that turn out to be one entity, keeping every fact of both."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput, NotFound
from alliances.store import search
from alliances.store.models import Alias, Alliance, Organisation, Party, Project, ProjectOwner
from alliances.store.names import normalise

_FILLABLE = ("country", "wikidata", "siren", "lei", "website", "parent_id")


def merge_organisations(session: Session, keep_id: int, drop_id: int) -> Organisation:
    """Fold `drop` into `keep`: parties, projects, aliases, identifiers, children; then delete `drop`."""
    if keep_id == drop_id:
        raise InvalidInput("cannot merge an organisation into itself")
    keep = session.get(Organisation, keep_id)
    drop = session.get(Organisation, drop_id)
    if keep is None or drop is None:
        raise NotFound(f"unknown organisation id {keep_id if keep is None else drop_id}")
    touched = list(session.scalars(select(Party.alliance_id).where(Party.organisation_id == drop_id)))
    # Alliances in which both take part keep a single party row.
    shared = select(Party.alliance_id).where(Party.organisation_id == keep_id)
    session.execute(delete(Party).where(Party.organisation_id == drop_id, Party.alliance_id.in_(shared)))
    session.execute(update(Party).where(Party.organisation_id == drop_id).values(organisation_id=keep_id))
    owned = select(ProjectOwner.project_id).where(ProjectOwner.organisation_id == keep_id)
    session.execute(
        delete(ProjectOwner).where(
            ProjectOwner.organisation_id == drop_id, ProjectOwner.project_id.in_(owned)
        )
    )
    session.execute(
        update(ProjectOwner).where(ProjectOwner.organisation_id == drop_id).values(organisation_id=keep_id)
    )
    for model, column in (
        (Alliance, Alliance.vehicle_id),
        (Alliance, Alliance.owner_id),
        (Project, Project.owner_id),
        (Organisation, Organisation.parent_id),
    ):
        session.execute(update(model).where(column == drop_id).values({column.key: keep_id}))
    for field in _FILLABLE:
        if getattr(keep, field) is None and getattr(drop, field) not in (None, keep_id):
            setattr(keep, field, getattr(drop, field))
    if keep.parent_id == keep_id:
        keep.parent_id = None
    names = [drop.name, *(a.name for a in drop.aliases)]
    session.execute(delete(Alias).where(Alias.organisation_id == drop_id))
    session.flush()
    known = {keep.norm, *(a.norm for a in keep.aliases)}
    for name in names:
        norm = normalise(name)
        if norm not in known:
            known.add(norm)
            keep.aliases.append(Alias(name=name, norm=norm))
    session.flush()
    session.expire_all()
    session.execute(delete(Organisation).where(Organisation.id == drop_id))
    session.flush()
    rename_titles(session, touched, names[0], keep.name)
    search.mark_alliances(session, touched)
    merged = session.get(Organisation, keep_id)
    assert merged is not None
    return merged


def rename_titles(session: Session, alliance_ids: list[int], old: str, new: str) -> None:
    """Titles made of party names ("Sanofi – Owkin SAS") follow the merge ("Sanofi – Owkin")."""
    for alliance in session.scalars(select(Alliance).where(Alliance.id.in_(alliance_ids))):
        parts = alliance.title.split(" – ")
        if old in parts:
            alliance.title = " – ".join(dict.fromkeys(new if p == old else p for p in parts))
    session.flush()
