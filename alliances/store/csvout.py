"""The one CSV writer of the CLI and the web: RFC 4180 (CRLF line endings), UTF-8, optional BOM.

Excel on Windows reads a CSV file as the local code page unless it starts with a UTF-8 byte-order
mark; other readers are better without one, so the BOM is an option (`--bom`, `?bom=1`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"
CHUNK = 65536


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = False
) -> Iterator[str]:
    """CSV text in chunks (streams for large exports): the header, then one line per row."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
