"""Full-text search over alliances with the engines' own indexes, kept current on every write.

One row per alliance in `alliance_fts`: SQLite FTS5 (`unicode61 remove_diacritics 2`) or a
PostgreSQL `tsvector` built with `unaccent`, over three weighted columns: the title, names (parties and
their aliases, vehicle) and text (evidence quotes, source titles, description, tags and their labels).
A query's words are ANDed, accents and case ignored; words of four letters or more match as prefixes
("partner" finds "partnership"); results are ranked by relevance (bm25 / ts_rank). Words are folded and
split in Python for both engines and matched without stemming, so both return the same alliances.

Writes through the ORM are tracked by session events and re-indexed just before commit; writers that
bulk-insert behind the ORM (synthetic networks) are caught up by `ensure_current` before a search.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam, column, event, exists, func, inspect, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from alliances.store.models import (
    Alias,
    Alliance,
    AllianceTag,
    Evidence,
    Organisation,
    Party,
    Source,
)
from alliances.store.names import strip_accents
from alliances.taxonomy import vocab
from alliances.taxonomy.areas import labels_of

TABLE = "alliance_fts"
PREFIX_MIN = 4  # shorter words match whole ("AI" is not "aide"); longer ones as prefixes
_WORD = re.compile(r"[^\W_]+")
_FACETS = {"technology": "technologies", "stage": "stages"}
_BATCH = 500


def is_index_table(name: str | None, type_: str, _parents: Any = None) -> bool:
    """Alembic's `include_name`: the index and FTS5's shadow tables are managed here, not by models."""
    return not (type_ == "table" and name is not None and name.startswith(TABLE))


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})


def words(query: str) -> list[str]:
    """The words of a text, folded as both engines' indexes hold them (lower case, no accents)."""
    folded = strip_accents(query.lower().translate(_LIGATURES))
    return [w for w in _WORD.findall(folded) if len(w) > 1 or w.isdigit()]


def _fts5_query(terms: list[str]) -> str:
    return " AND ".join(f'"{w}"*' if len(w) >= PREFIX_MIN else f'"{w}"' for w in terms)


def _pg_query(terms: list[str]) -> str:
    return " & ".join(f"{w}:*" if len(w) >= PREFIX_MIN else w for w in terms)


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def ranked_ids(session: Session, query: str) -> list[int]:
    """Ids of the alliances matching every word of `query`, most relevant first."""
    terms = words(query)
    if not terms:
        return []
    ensure_current(session)
    if _is_pg(session):
        sql = text(
            f"SELECT alliance_id FROM {TABLE} WHERE doc @@ to_tsquery('simple', :q) "
            "ORDER BY ts_rank(doc, to_tsquery('simple', :q)) DESC, alliance_id DESC"
        )
        return list(session.scalars(sql, {"q": _pg_query(terms)}))
    sql = text(
        f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH :q ORDER BY bm25({TABLE}, 8.0, 4.0, 1.0), rowid DESC"
    )
    return list(session.scalars(sql, {"q": _fts5_query(terms)}))


def alliance_clause(session: Session, query: str) -> ColumnElement[bool]:
    """The WHERE clause `q` adds to an alliance query (filters call this): an indexed subquery."""
    terms = words(query)
    if not terms:
        return Alliance.id.in_([])
    ensure_current(session)
    if _is_pg(session):
        match = text("doc @@ to_tsquery('simple', :fts_q)").bindparams(fts_q=_pg_query(terms))
        return Alliance.id.in_(select(column("alliance_id")).select_from(table(TABLE)).where(match))
    match = text(f"{TABLE} MATCH :fts_q").bindparams(fts_q=_fts5_query(terms))
    return Alliance.id.in_(select(column("rowid")).select_from(table(TABLE)).where(match))


def by_relevance(session: Session, query: str, ids: list[int]) -> list[int]:
    """`ids` (already filtered) in the order of relevance to `query`."""
    rank = {alliance_id: n for n, alliance_id in enumerate(ranked_ids(session, query))}
    return sorted(ids, key=lambda i: rank.get(i, len(rank)))


# --- the indexed text --------------------------------------------------------------------------------


def documents(session: Session, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """(title, names, text) of each alliance: what the index holds for it."""
    titles: dict[int, str] = {}
    names: dict[int, list[str]] = defaultdict(list)
    body: dict[int, list[str]] = defaultdict(list)
    for a in session.execute(
        select(Alliance.id, Alliance.title, Alliance.vehicle_name, Alliance.description, Alliance.type).where(
            Alliance.id.in_(ids)
        )
    ):
        titles[a.id] = a.title or ""
        names[a.id].append(a.vehicle_name or "")
        body[a.id] += [a.description or "", vocab("alliance_types").label(a.type, "en")]
        body[a.id].append(vocab("alliance_types").label(a.type, "fr"))
    org_of: dict[int, list[int]] = defaultdict(list)
    for alliance_id, org_id, stated, name in session.execute(
        select(Party.alliance_id, Party.organisation_id, Party.stated_name, Organisation.name)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(Party.alliance_id.in_(ids))
    ):
        names[alliance_id] += [name, stated or ""]
        org_of[org_id].append(alliance_id)
    for org_id, alias in session.execute(
        select(Alias.organisation_id, Alias.name).where(Alias.organisation_id.in_(list(org_of)))
    ):
        for alliance_id in org_of[org_id]:
            names[alliance_id].append(alias)
    for tag in session.scalars(select(AllianceTag).where(AllianceTag.alliance_id.in_(ids))):
        body[tag.alliance_id] += _tag_words(tag.facet, tag.value)
    for ev_alliance, quote, title in session.execute(
        select(Evidence.alliance_id, Evidence.quote, Source.title)
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.alliance_id.in_(ids))
    ):
        if ev_alliance is not None:
            body[ev_alliance] += [quote or "", title or ""]
    return {i: (_join([titles[i]]), _join(names[i]), _join(body[i])) for i in titles}


def _tag_words(facet: str, value: str) -> list[str]:
    if facet in _FACETS:
        v = vocab(_FACETS[facet])
        return [value, v.label(value, "en"), v.label(value, "fr")]
    if facet == "area":  # labels and synonyms: "cancer" finds the alliances tagged oncology
        return [value, *labels_of(value)]
    return [value]


def _join(parts: Iterable[str]) -> str:
    """The words of the parts, folded and split here so that both engines index the same tokens."""
    return " ".join(dict.fromkeys(w for p in parts if p for w in words(p)))


def reindex(session: Session, ids: Iterable[int]) -> None:
    """Rewrite the index rows of these alliances (deleted ones just leave the index)."""
    todo = sorted(set(ids))
    pg = _is_pg(session)
    key = "alliance_id" if pg else "rowid"
    delete_ = text(f"DELETE FROM {TABLE} WHERE {key} IN :ids").bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(todo), _BATCH):
        chunk = todo[start : start + _BATCH]
        if not pg:  # FTS5 has no upsert: the rows go, then come back
            session.execute(delete_, {"ids": chunk})
        rows = [
            {"id": i, "title": t, "names": n, "body": b} for i, (t, n, b) in documents(session, chunk).items()
        ]
        if pg:  # documents first, then upserts: a row is locked from its write to the commit only
            gone = sorted(set(chunk) - {r["id"] for r in rows})
            if gone:
                session.execute(delete_, {"ids": gone})
        if not rows:
            continue
        if pg:
            sql = (
                f"INSERT INTO {TABLE} (alliance_id, doc) VALUES (:id, "
                "setweight(to_tsvector('simple', unaccent(CAST(:title AS text))), 'A') || "
                "setweight(to_tsvector('simple', unaccent(CAST(:names AS text))), 'B') || "
                "setweight(to_tsvector('simple', unaccent(CAST(:body AS text))), 'D')) "
                # two concurrent accepts restating one alliance both reindex it (issue 13, bench/load.py)
                "ON CONFLICT (alliance_id) DO UPDATE SET doc = EXCLUDED.doc"
            )
        else:
            sql = f"INSERT INTO {TABLE} (rowid, title, names, body) VALUES (:id, :title, :names, :body)"
        session.execute(text(sql), rows)


def rebuild(session: Session) -> int:
    """Index every alliance afresh (after a migration or a bulk load); returns how many."""
    session.execute(text(f"DELETE FROM {TABLE}"))
    ids = list(session.scalars(select(Alliance.id)))
    reindex(session, ids)
    return len(ids)


def ensure_current(session: Session) -> None:
    """Index alliances that bulk writers inserted behind the ORM (checked once per data version)."""
    from alliances.store.version import data_version, memo_of  # models imports this module: no cycle

    version = data_version(session)

    def check() -> bool:
        index = table(TABLE, column("alliance_id" if _is_pg(session) else "rowid"))
        key = next(iter(index.c))
        # Bulk writers append: alliances past the last indexed id. Only when the counts still differ
        # is every id compared (an anti-join; NOT IN over a million ids is quadratic on PostgreSQL).
        last = session.scalar(select(func.max(key)).select_from(index)) or 0
        missing = list(session.scalars(select(Alliance.id).where(Alliance.id > last)))
        rows = index if _is_pg(session) else table(f"{TABLE}_docsize")  # FTS5's count(*) reads every row
        indexed = session.scalar(select(func.count()).select_from(rows)) or 0
        if indexed + len(missing) != session.scalar(select(func.count()).select_from(Alliance)):
            unindexed = ~exists(select(key).select_from(index).where(key == Alliance.id))
            missing = list(session.scalars(select(Alliance.id).where(unindexed)))
        if missing:
            reindex(session, missing)
        return True

    memo_of(session).get(session, ("search_index_current",), check, version=version)


# --- keeping the index current on every ORM write ------------------------------------------------------

_PENDING = "search_pending"


def _track(session: Session, _context: Any) -> None:
    """After each flush: note which alliances, organisations and sources changed."""
    pending = session.info.setdefault(_PENDING, {"alliances": set(), "orgs": set(), "sources": set()})
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Evidence) and obj in session.new and obj.alliance_id is not None:
            pending.setdefault("quotes", set()).add(obj.id)  # a new quote only adds words (`_add_quotes`)
        elif isinstance(obj, Source) and obj in session.new:
            continue  # only a new quote can cite a new source: its title comes with the quote
        elif isinstance(obj, Alliance):
            if obj in session.dirty and _only_quoted(obj):
                continue  # a quote appended to its collection: the quote itself is tracked
            pending["alliances"].add(obj.id)
        elif isinstance(obj, Party | AllianceTag | Evidence) and obj.alliance_id is not None:
            pending["alliances"].add(obj.alliance_id)
        elif isinstance(obj, Organisation):
            pending["orgs"].add(obj.id)
        elif isinstance(obj, Alias):
            pending["orgs"].add(obj.organisation_id)
        elif isinstance(obj, Source):
            pending["sources"].add(obj.id)


def _only_quoted(alliance: Alliance) -> bool:
    """Whether the only change of a stored alliance is its evidence collection."""
    state = inspect(alliance)
    return not any(a.key != "evidence" and a.history.has_changes() for a in state.attrs)


def _flush_index(session: Session) -> None:
    """Just before commit: re-index what changed, in the same transaction."""
    session.flush()  # the last flush records the last changes
    pending = session.info.pop(_PENDING, None)
    if not pending or not any(pending.values()):
        return
    ids = set(pending["alliances"])
    orgs = [o for o in pending["orgs"] if o is not None]
    if orgs:
        ids |= set(session.scalars(select(Party.alliance_id).where(Party.organisation_id.in_(orgs))))
        ids |= set(session.scalars(select(Alliance.id).where(Alliance.vehicle_id.in_(orgs))))
    sources = [s for s in pending["sources"] if s is not None]
    if sources:
        ids |= set(session.scalars(select(Evidence.alliance_id).where(Evidence.source_id.in_(sources))))
    ids.discard(None)  # evidence of projects and figures
    quotes = pending.get("quotes", set())
    if (ids or quotes) and _has_index(session):
        if quotes:
            ids |= _add_quotes(session, quotes, ids)
        if ids:
            reindex(session, ids)
        session.flush()
    session.info.pop(_PENDING, None)


def _add_quotes(session: Session, quotes: set[int], rewritten: set[int]) -> set[int]:
    """Add the words of new quotes (and their sources' titles) to their alliances' index rows, instead
    of rebuilding the rows from every quote: restating a known alliance for the hundredth time cost
    11 of the 23 ms of an accept, all under the write lock (issue 13, load). A row holds each word once,
    so the words added are those not in it yet, after the others, as `reindex` would write them.
    Returns the alliances to rewrite whole (no row yet)."""
    rows = session.execute(
        select(Evidence.alliance_id, Evidence.quote, Source.title)
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.id.in_(sorted(quotes)))
        .order_by(Evidence.id)
    )
    added: dict[int, list[str]] = defaultdict(list)
    for alliance_id, quote, title in rows:
        if alliance_id is not None and alliance_id not in rewritten:
            added[alliance_id] += [quote or "", title or ""]
    if _is_pg(session):
        return _add_pg_words(session, added)
    whole = set()
    for alliance_id, parts in added.items():
        held = session.execute(
            text(f"SELECT body FROM {TABLE} WHERE rowid = :id"), {"id": alliance_id}
        ).first()
        if held is None:
            whole.add(alliance_id)
            continue
        body = _join([held[0], *parts])
        if body != held[0]:
            session.execute(
                text(f"UPDATE {TABLE} SET body = :body WHERE rowid = :id"), {"id": alliance_id, "body": body}
            )
    return whole


def _add_pg_words(session: Session, added: dict[int, list[str]]) -> set[int]:
    """PostgreSQL's half of `_add_quotes`: the row's body words (weight D) are read back, and the new
    ones appended after them, where a rebuild puts them. Rebuilding a row from every quote made the
    write lock wait on the to_tsvector of hundreds of quotes (issue 13, `bench/load.py --engine
    postgres`). Returns the alliances without a row yet."""
    whole = set()
    held_sql = text(f"SELECT tsvector_to_array(ts_filter(doc, '{{d}}')) FROM {TABLE} WHERE alliance_id = :id")
    append = text(
        f"UPDATE {TABLE} SET doc = doc || "
        "setweight(to_tsvector('simple', unaccent(CAST(:body AS text))), 'D') WHERE alliance_id = :id"
    )
    for alliance_id, parts in added.items():
        held = session.execute(held_sql, {"id": alliance_id}).first()
        if held is None:
            whole.add(alliance_id)
            continue
        have = set(held[0])
        new = [w for w in _join(parts).split() if w not in have]
        if new:
            session.execute(append, {"id": alliance_id, "body": " ".join(new)})
    return whole


# Engines whose database has the index: once there it stays (asked per session, it was a catalogue
# query in every write transaction; `Database.downgrade` forgets its engine).
HAVE_INDEX: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_index(session: Session) -> bool:
    engine = session.get_bind().engine
    if engine not in HAVE_INDEX and TABLE in inspect(session.connection()).get_table_names():
        HAVE_INDEX.add(engine)
    return engine in HAVE_INDEX


def mark_alliances(session: Session, ids: Iterable[int]) -> None:
    """Ask for these alliances to be re-indexed at commit (for writes done with bulk statements)."""
    pending = session.info.setdefault(_PENDING, {"alliances": set(), "orgs": set(), "sources": set()})
    pending["alliances"].update(ids)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


event.listen(Session, "after_flush", _track)
event.listen(Session, "after_rollback", _forget)
event.listen(Session, "before_commit", _flush_index)
