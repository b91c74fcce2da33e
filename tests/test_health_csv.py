"""CSV parsing of plan histories: any text parses, or fails with one `file:line: field: message` line."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from alliances.errors import InvalidInput
from alliances.health.csvio import parse
from alliances.health.model import SpendEntry

LINE = re.compile(r"^spend\.csv:\d+: [\w.]+: .+$")

cells = st.one_of(
    st.sampled_from(["2019-01-31", "2019-02-30", "Sanofi", "", "12.5", "-3", "abc", "1e9", '"a,b"']),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(cells, min_size=1, max_size=5), max_size=6))
def test_spend_rows_parse_or_fail_in_one_line(rows: list[list[str]]) -> None:
    text = "date,party,amount,note\n" + "\n".join(",".join(r) for r in rows)
    try:
        parsed = parse(text, "spend", "spend.csv")
    except InvalidInput as exc:
        assert "\n" not in exc.message and LINE.match(exc.message), exc.message
    else:
        assert all(isinstance(r, SpendEntry) for r in parsed)


def test_a_bom_and_crlf_from_a_spreadsheet_are_fine() -> None:
    text = "\ufeffdate,party,amount,note\r\n2019-03-31,Sanofi,1000,Q1\r\n"
    (row,) = parse(text, "spend", "spend.csv")
    assert isinstance(row, SpendEntry) and row.amount == 1000 and row.note == "Q1"


def test_blank_rows_are_skipped_and_line_numbers_stay_true() -> None:
    text = "date,party,amount\n2019-03-31,Sanofi,1\n\n,,\n2019-13-01,Sanofi,1\n"
    try:
        parse(text, "spend", "spend.csv")
    except InvalidInput as exc:
        assert exc.message.startswith("spend.csv:5: date:")
    else:
        raise AssertionError("an impossible month was accepted")
