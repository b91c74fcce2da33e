"""`alliances extract`, `ingest` and `review` end to end: real files, a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from alliances.store.db import Database
from alliances.store.models import Alliance, Candidate, Evidence, Organisation, Source

GOOD_FR = "Sanofi a signé un nouveau partenariat avec Google dans l'intelligence artificielle."
GOOD_EN = "Roche today announced that it will acquire Flatiron Health for $1.9 billion."


def _records(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_extract_prints_one_line_per_document_in_input_order(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "b.txt").write_text(GOOD_FR, encoding="utf-8")
    (tmp_path / "a.md").write_text("# News\n\n" + GOOD_EN, encoding="utf-8")
    lines = tmp_path / "c.jsonl"
    lines.write_text(json.dumps({"id": "j1", "text": GOOD_EN, "date": "2018-02-15", "language": "en"}) + "\n")
    result = cli("extract", str(tmp_path / "b.txt"), str(tmp_path / "a.md"), str(lines))
    assert result.code == 0, result.err
    recs = _records(result.out)
    assert [r["id"] for r in recs] == ["b", "a", "j1"]
    assert {p["canonical"] for p in recs[0]["alliances"][0]["parties"]} == {"Sanofi", "Google"}
    deal = recs[2]["alliances"][0]
    assert (deal["type"], deal["date"], deal["amount"]) == (
        "acquisition",
        "2018-02-15",
        {"value": 1.9e9, "currency": "USD"},
    )
    assert deal["evidence"] == GOOD_EN.rstrip()


def test_extract_reads_html_without_page_furniture(cli: Any) -> None:
    page = Path(__file__).parent / "corpus" / "articles" / "en15_philips_amazon.html"
    recs = _records(cli("extract", str(page)).out)
    pairs = [{p["canonical"] for p in a["parties"]} for a in recs[0]["alliances"]]
    assert pairs and all("Oracle" not in p and "Pfizer" not in p for p in pairs)
    assert any("Philips" in p for p in pairs)


def test_extract_bad_inputs_warn_and_continue(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "1_empty.txt").write_text("")
    (tmp_path / "2_binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "3_latin1.txt").write_bytes(GOOD_FR.encode("latin-1"))
    (tmp_path / "4_utf16.txt").write_bytes(GOOD_FR.encode("utf-16"))
    (tmp_path / "5_truncated.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    )
    (tmp_path / "6_lines.jsonl").write_text(
        json.dumps({"id": "ok", "text": GOOD_EN}) + '\n{"id": "notext"}\nnot json\n'
    )
    (tmp_path / "7_big.txt").write_text("x " * 700_000)
    result = cli("extract", str(tmp_path), "--max-mb", "1")
    assert result.code == 1
    ids = [r["id"] for r in _records(result.out)]
    assert ids == ["3_latin1", "4_utf16", "ok"]
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 6, result.err
    for needle in ("1_empty", "2_binary", "5_truncated", "notext", "7_big", "6_lines:3"):
        assert any(needle in w for w in warnings), (needle, warnings)
    latin = _records(result.out)[0]
    assert {p["canonical"] for p in latin["alliances"][0]["parties"]} == {"Sanofi", "Google"}


def test_extract_with_two_workers_gives_the_same_output(cli: Any) -> None:
    folder = str(Path(__file__).parent / "corpus" / "articles")
    assert cli("extract", folder, "--workers", "2").out == cli("extract", folder).out


def test_ingest_is_idempotent_and_review_accepts(tmp_path: Path, cli: Any, bundled_db: Database) -> None:
    url = bundled_db.url
    (tmp_path / "one.txt").write_text(
        GOOD_FR + "\n\nSanofi s'associe à Zorblax Health pour suivre les patients."
    )
    (tmp_path / "two.txt").write_text(GOOD_EN)
    (tmp_path / "bad.txt").write_text("")
    first = cli("ingest", str(tmp_path), "--db", url)
    assert first.code == 1 and "bad" in first.err
    with bundled_db.session() as s:
        n_sources = s.scalar(select(func.count(Source.id)))
        n_cands = s.scalar(select(func.count(Candidate.id)))
    assert n_cands == 3
    again = cli("ingest", str(tmp_path / "one.txt"), str(tmp_path / "two.txt"), "--db", url)
    assert again.code == 0 and "2 already ingested" in again.out
    with bundled_db.session() as s:
        assert s.scalar(select(func.count(Source.id))) == n_sources
        assert s.scalar(select(func.count(Candidate.id))) == n_cands
        ids = {
            tuple(sorted(p.get("canonical") for p in c.record["parties"])): c.id
            for c in s.scalars(select(Candidate))
        }
    listing = json.loads(cli("review", "list", "--db", url, "--json").out)
    assert len(listing) == 3
    new_id = ids[("Sanofi", "Zorblax Health")]
    edited = cli(
        "review", "edit", str(new_id), "--db", url, "--set", "type=supply_or_service", "--set", "stages=usage"
    )
    assert edited.code == 0 and json.loads(edited.out)["type"] == "supply_or_service"
    assert cli("review", "edit", str(new_id), "--db", url, "--set", "type=friendship").code == 2
    accepted = cli("review", "accept", str(new_id), "--db", url, "--kind", "Zorblax Health=startup")
    assert accepted.code == 0 and "Zorblax Health" in accepted.out
    assert cli("review", "reject", str(ids[("Flatiron Health", "Roche")]), "--db", url).code == 0
    assert cli("review", "accept", str(new_id), "--db", url).code != 0  # already decided
    with bundled_db.session() as s:
        org = s.scalar(select(Organisation).where(Organisation.name == "Zorblax Health"))
        assert org is not None and org.kind == "startup"
        alliance = s.get(Alliance, s.get(Candidate, new_id).alliance_id)
        assert alliance.type == "supply_or_service" and alliance.origin == "extracted"
        quote = s.scalar(select(Evidence.quote).where(Evidence.alliance_id == alliance.id))
        assert quote is not None and "Zorblax" in quote
        assert s.get(Candidate, ids[("Flatiron Health", "Roche")]).state == "rejected"


def test_ingest_gives_up_a_document_at_its_time_limit_and_loses_nothing(
    tmp_path: Path, cli: Any, bundled_db: Database
) -> None:
    """A document over the time limit is one warning line and stays unstored, so a later run with a
    longer limit ingests it; the other documents are not held back by it."""
    url = bundled_db.url
    (tmp_path / "one.txt").write_text(GOOD_FR)
    (tmp_path / "two.txt").write_text(GOOD_EN)
    with bundled_db.session() as s:
        before = s.scalar(select(func.count(Source.id)))
    stopped = cli("ingest", str(tmp_path), "--db", url, "--time-limit", "0.0001")
    assert stopped.code == 1
    warnings = [line for line in stopped.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and all("time limit of 0.0001 s per document" in w for w in warnings)
    assert "Traceback" not in stopped.err and "0 stored" in stopped.out
    with bundled_db.session() as s:
        assert s.scalar(select(func.count(Source.id))) == before
    done = cli("ingest", str(tmp_path), "--db", url)
    assert done.code == 0 and "2 stored" in done.out
    assert cli("ingest", str(tmp_path), "--db", url, "--time-limit", "-1").code == 2


def test_the_progress_bar_counts_documents_not_files(tmp_path: Path, cli: Any, bundled_db: Database) -> None:
    from alliances.extract.readers import count_documents

    (tmp_path / "a.txt").write_text(GOOD_FR)
    rows = [{"id": f"j{n}", "text": f"{GOOD_EN} ({n})"} for n in range(3)]
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    assert count_documents([tmp_path]) == 4
    result = cli("ingest", str(tmp_path), "--db", bundled_db.url)
    assert result.code == 0 and "4 documents: 4 stored" in result.out
    assert "4/4" in result.err


def test_ingest_of_a_missing_path_is_one_warning_and_a_singular_summary(
    tmp_path: Path, cli: Any, bundled_db: Database
) -> None:
    """A newcomer's mistyped folder: one warning naming it, exit 1, "1 document" (it said "1 documents")."""
    result = cli("ingest", str(tmp_path / "press-releases"), "--db", bundled_db.url)
    assert result.code == 1
    assert "1 document: 0 stored, 0 already ingested, 1 failed; 0 candidate alliances" in result.out
    assert f"{tmp_path / 'press-releases'}: no such file" in result.err
