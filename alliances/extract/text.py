"""Text clean-up and segmentation into paragraphs and sentences, without a parser.

PDF and e-mail text is wrapped at fixed widths, so a line break is usually not a boundary:
lines are joined unless the break closes a sentence, starts a list item, or is a blank line
before a capitalised line (a heading or a new paragraph). Headlines and "read also" links stay
sentences of their own because they are alone on their line between blank lines.
"""

from __future__ import annotations

import re

from alliances.extract.document import Sentence

_BULLET = re.compile(r"^\s*(?:[•§▪◦·\-–*o]\s+|\d{1,2}[.)]\s+)")
_TERMINAL = re.compile(r"[.!?:;»”\"]\s*$")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
# a sentence ends at . ! ? followed by space and a capital, a quote or a digit
_SENT_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+(?=[«\"“(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:M|Mme|Dr|Pr|Prof|St|Inc|Ltd|Corp|Co|vs|cf|etc|p|No|Mr|Mrs|Ms|Jr|Sr|U\.S|e\.g|i\.e|al|env|resp)"
    r"|\b[A-Z])\.$"
)


def clean(text: str) -> str:
    """Normalise spaces, drop control characters and join lines broken by a fixed width."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n\n")
    text = "".join(c for c in text if c == "\n" or c == "\t" or c >= " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    width = _wrap_width(lines)
    out: list[str] = []
    blank = False
    for line in lines:
        if not line:
            blank = True
            continue
        if out:
            prev = out[-1]
            starts_lower = line[0].islower() or line[0] in ",;)"
            if _BULLET.match(line) or _BULLET.match(prev) and _TERMINAL.search(prev):
                out.append("\n" + line)
            elif starts_lower and not _BULLET.match(line):
                out[-1] = prev + " " + line
            elif (
                (blank and not (width and len(prev) >= 0.7 * width))
                or _TERMINAL.search(prev)
                or len(prev) < 40
            ):
                out.append(("\n\n" if blank else "\n") + line)
            else:
                out[-1] = prev + " " + line
        else:
            out.append(line)
        blank = False
    return "".join(o if i == 0 else o if o.startswith("\n") else "\n" + o for i, o in enumerate(out)).strip()


def _wrap_width(lines: list[str]) -> int:
    """The fixed width the text was wrapped at (PDF, e-mail), or 0 if its lines are paragraphs."""
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 8:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if 0.6 * width <= n <= 1.1 * width)
    return width if width <= 160 and near >= 0.5 * len(lengths) else 0


def segment(text: str) -> list[Sentence]:
    """Split cleaned text into sentences; each line is at least one sentence."""
    sentences: list[Sentence] = []
    paragraph = 0
    pos = 0
    for block in re.split(r"(\n\n+)", text):
        if block.startswith("\n"):
            paragraph += 1
            pos += len(block)
            continue
        line_start = pos
        for line in block.split("\n"):
            _split_line(text, line_start, line, paragraph, sentences)
            line_start += len(line) + 1
        pos += len(block)
    return sentences


def _split_line(text: str, offset: int, line: str, paragraph: int, out: list[Sentence]) -> None:
    start = 0
    for m in _SENT_END.finditer(line):
        if _ABBREV.search(line[start : m.start()]):
            continue
        _add(out, offset + start, offset + m.start(), text, paragraph)
        start = m.end()
    _add(out, offset + start, offset + len(line), text, paragraph)


def _add(out: list[Sentence], start: int, end: int, text: str, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return
    body = text[start:end]
    heading = len(body) < 90 and not body.rstrip().endswith((".", ",", ";"))
    out.append(Sentence(start, end, paragraph=paragraph, heading=heading))
