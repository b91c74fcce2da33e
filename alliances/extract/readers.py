"""Reading documents from files: .txt, .md, .html (page furniture removed), .pdf and .jsonl.

Every problem with one document (empty, binary, undecodable, truncated PDF, too large, JSONL line
without text) becomes a `ReadFailure` with a one-line reason; the batch goes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from alliances.extract.document import Doc

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".jsonl")
MAX_BYTES = 20_000_000  # larger files are refused: no press text is that long, and memory stays bounded
# Per-document bounds (issue 12): a 40 MB saved page is parsed on its first 3 MB of HTML and read on its
# first 300,000 characters of text, with a one-line warning, so time and memory stay bounded.
MAX_HTML_CHARS = 3_000_000
MAX_TEXT_CHARS = 300_000
TIME_LIMIT = 60.0  # seconds of extraction per document (extract/run.py); 0 for none


@dataclass
class ReadFailure:
    id: str
    path: str
    reason: str

    def message(self) -> str:
        return f"skipped {self.path}{'' if self.path.endswith(self.id) else f' [{self.id}]'}: {self.reason}"


def content_hash(text: str) -> str:
    """The identity of a document's content, for idempotent ingestion."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, and the readable files under the directories named, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def decode(data: bytes) -> str:
    """Bytes to text: BOMs, UTF-16 without BOM, UTF-8, then Windows-1252/Latin-1. Binary raises."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    head = data[:4096]
    if head.count(b"\x00") > len(head) // 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 0.4 * len(head) / 2 and even < 0.05 * len(head) / 2:
            return data.decode("utf-16-le", errors="replace")
        if even > 0.4 * len(head) / 2 and odd < 0.05 * len(head) / 2:
            return data.decode("utf-16-be", errors="replace")
        raise ValueError("binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace") if _cp1252_ok(data) else data.decode("latin-1")
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:4096]) // 50):
        raise ValueError("binary file, not text")
    return text


def _cp1252_ok(data: bytes) -> bool:
    return not any(b in data for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


def html_to_text(html: str) -> tuple[str, str | None, str | None]:
    """Main text of a web page without menus and footers, with its title and date when stated."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""
    meta = trafilatura.extract_metadata(html)
    title = getattr(meta, "title", None) if meta else None
    date = getattr(meta, "date", None) if meta else None
    if title and title not in text[:300]:
        text = f"{title}\n\n{text}"
    return text, title, date if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None


def pdf_to_text(data: bytes) -> str:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)


def _bounded(text: str, limit: int, path: Path, what: str) -> str:
    """The first `limit` characters of a very long document, with a one-line warning on stderr."""
    if len(text) <= limit:
        return text
    logging.getLogger("alliances.extract").warning(
        "%s: %s of %.1f million characters truncated to the first %.1f million",
        path,
        what,
        len(text) / 1e6,
        limit / 1e6,
    )
    return text[:limit]


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> Iterator[Doc | ReadFailure]:
    """The document(s) of one file; a JSONL file yields one per line."""
    doc_id = path.stem
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield ReadFailure(
                doc_id, str(path), f"too large ({size / 1e6:.1f} MB, limit {max_bytes / 1e6:.1f} MB)"
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(doc_id, str(path), exc.strerror or str(exc))
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl(data, path)
        return
    title = date = None
    try:
        if suffix == ".pdf":
            text = pdf_to_text(data)
        else:
            text = decode(data)
            del data
            if suffix in (".html", ".htm"):
                text, title, date = html_to_text(_bounded(text, MAX_HTML_CHARS, path, "HTML"))
    except Exception as exc:  # pypdf, trafilatura and codecs raise many kinds: one line per document
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield ReadFailure(doc_id, str(path), f"unreadable {suffix.lstrip('.') or 'file'}: {reason[:120]}")
        return
    if not text.strip():
        yield ReadFailure(doc_id, str(path), "empty document (no text)")
        return
    text = _bounded(text, MAX_TEXT_CHARS, path, "text")
    yield Doc(id=doc_id, text=text, date=date, path=str(path), title=title, raw_hash=content_hash(text))


def read_jsonl(data: bytes, path: Path) -> Iterator[Doc | ReadFailure]:
    try:
        lines = decode(data).splitlines()
    except (ValueError, UnicodeDecodeError) as exc:
        yield ReadFailure(path.stem, str(path), str(exc))
        return
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.stem}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(where, str(path), f"line {n}: invalid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            yield ReadFailure(where, str(path), f"line {n}: not a JSON object")
            continue
        doc_id = str(obj.get("id") or where)
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ReadFailure(doc_id, str(path), f"line {n}: no text")
            continue
        date = obj.get("date") if isinstance(obj.get("date"), str) else None
        if date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            date = None
        lang = obj.get("language") if obj.get("language") in ("fr", "en") else None
        yield Doc(
            id=doc_id,
            text=text,
            date=date,
            language=lang,
            path=str(path),
            title=obj.get("title"),
            raw_hash=content_hash(text),
        )


def read_paths(paths: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> Iterator[Doc | ReadFailure]:
    """Documents from files and directories, lazily, in input order."""
    for path in iter_files(paths):
        if not path.exists():
            yield ReadFailure(path.stem, str(path), "no such file")
            continue
        yield from read_file(path, max_bytes)


def count_documents(paths: Iterable[str | Path], max_bytes: int = MAX_BYTES) -> int:
    """How many items `read_paths` will yield (a JSON Lines file holds one per non-blank line), so
    that a progress bar can move per document rather than per file."""
    total = 0
    for path in iter_files(paths):
        if path.suffix.lower() != ".jsonl" or not path.is_file() or path.stat().st_size > max_bytes:
            total += 1
            continue
        with path.open("rb") as handle:
            total += max(1, sum(1 for line in handle if line.strip()))
    return total
