"""The assessment importer on generated files: valid rows come back as written, the first bad row is named."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliances.errors import InvalidInput
from alliances.maturity.io import read_assessments
from alliances.maturity.model import load_model

MODEL = load_model()
KEYS = ["cell.ai.research", "cell.cloud.usage", "org.digital_bu", "org.partner_startups", "importance.ai"]
VALID = {
    "cell.ai.research": [str(i) for i in range(6)],
    "cell.cloud.usage": [str(i) for i in range(6)],
    "org.digital_bu": ["yes", "partial", "no"],
    "org.partner_startups": ["done", "planned", "none"],
    "importance.ai": [str(i) for i in range(6)],
}
junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=4)  # newlines included
value = st.one_of(st.sampled_from(["0", "3", "5", "yes", "done", "partial", ""]), junk)
row = st.fixed_dictionaries({k: value for k in KEYS})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=6))
def test_import_returns_valid_rows_or_names_the_first_bad_line(rows: list[dict[str, str]]) -> None:
    folder = Path(tempfile.mkdtemp())
    path = folder / "a.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["organisation", "sector", "size", "country", *KEYS])
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {"organisation": "Sanofi", "sector": "pharma", "size": "large", "country": "FR", **r}
            )

    def ok(v: str, k: str) -> bool:
        return v.strip() == "" or v.strip() in VALID[k]

    bad = [i for i, r in enumerate(rows) if not all(ok(v, k) for k, v in r.items())]
    if bad:
        with pytest.raises(InvalidInput) as info:
            read_assessments(path)
        first = 2 + sum(_lines(r) for r in rows[: bad[0]])  # records before it, however many lines each took
        assert info.value.message.startswith(f"{path}:{first}: ")
    else:
        items = read_assessments(path)
        assert [i.answers for i in items] == [{k: v.strip() for k, v in r.items() if v.strip()} for r in rows]


def _lines(record: dict[str, str]) -> int:
    """Physical lines one CSV record takes once read back (\r\n, \r and \n each end a line)."""
    return 1 + sum(v.count("\n") + v.count("\r") - v.count("\r\n") for v in record.values())
