"""Recognised mentions that their place in the text shows are not names (nonnames.py) never become
parties: a description's first word, what a description's subject makes, a sentence-initial word the
passage also writes in lower case, a product after its maker's possessive, a dateline with its state."""

from __future__ import annotations

import pytest

from alliances.extract.document import Doc, Mention
from alliances.extract.learn import nonnames
from alliances.extract.learn import pairs as pairs_mod
from alliances.extract.learn.train import PREFIX
from alliances.extract.pipeline import Pipeline


def _doc(text: str, *names: str) -> Doc:
    """The text segmented, with `names` (first occurrences) as recognised mentions."""
    doc = Pipeline.from_config(names=["segment", "detect_language"])(Doc(id="d", text=text, language="en"))
    found = [(doc.text.index(n), n) for n in names]
    doc.mentions = [Mention(i, i + len(n), text=n, canonical=n, source="ner") for i, n in sorted(found)]
    return doc


def _mention(doc: Doc, name: str) -> Mention:
    return next(m for m in doc.mentions if m.text == name)


@pytest.mark.parametrize(
    ("text", "word", "name"),
    [
        (
            "BOSTON, Aug. 29, 2023 - Synthetic biology company Veltrix Bio signed with Orvane.",
            "Synthetic",
            "Veltrix Bio",
        ),
        ("Medical device maker Corvalis has acquired Tessaron.", "Medical", "Corvalis"),
        ("Camera and printer maker Corvalis will buy Tessaron.", "Camera", "Corvalis"),
    ],
)
def test_the_first_word_of_a_description_is_not_a_party(text: str, word: str, name: str) -> None:
    doc = _doc(text, word, name)
    assert nonnames.is_non_name(doc, _mention(doc, word))
    assert not nonnames.is_non_name(doc, _mention(doc, name))


def test_a_name_before_a_trigger_verb_and_a_descriptor_stays_a_party() -> None:
    doc = _doc("Corvalis acquired biotech Tessaron in 2021.", "Corvalis", "Tessaron")
    assert not nonnames.is_non_name(doc, _mention(doc, "Corvalis"))
    doc = _doc("Corvalis and biotech Tessaron signed a deal.", "Corvalis", "Tessaron")
    assert not nonnames.is_non_name(doc, _mention(doc, "Corvalis"))


def test_what_a_description_makes_is_not_a_party() -> None:
    doc = _doc("Corvalis will use the Vexabot maker's models.", "Corvalis", "Vexabot")
    assert nonnames.is_non_name(doc, _mention(doc, "Vexabot"))
    assert not nonnames.is_non_name(doc, _mention(doc, "Corvalis"))
    doc = _doc("It was financed by the Tessaron Group owners of Vexa Steel.", "Tessaron Group", "Vexa Steel")
    assert not nonnames.is_non_name(doc, _mention(doc, "Tessaron Group"))


def test_a_sentence_initial_word_written_in_lower_case_nearby_is_not_a_party() -> None:
    text = "Corvalis will design new antimicrobials. Antimicrobial resistance kills a million people a year."
    doc = _doc(text, "Corvalis", "Antimicrobial")
    assert nonnames.is_non_name(doc, _mention(doc, "Antimicrobial"))
    # a web address is not the word in lower case
    doc = _doc("See corvanta.com for details. Corvanta will receive $15 million.", "Corvanta")
    assert not nonnames.is_non_name(doc, _mention(doc, "Corvanta"))


def test_a_name_after_another_s_possessive_is_never_its_partner() -> None:
    text = "Corvalis's Vexa platform steers stents, and Corvalis signed with Tessaron."
    doc = _doc(text, "Corvalis", "Vexa", "Tessaron")
    pairs = {frozenset((c.a.text, c.b.text)) for c in pairs_mod.candidates(doc)}
    assert frozenset(("Corvalis", "Vexa")) not in pairs
    assert frozenset(("Corvalis", "Tessaron")) in pairs


def test_descriptions_first_words_are_not_candidates_end_to_end() -> None:
    text = "DUBLIN, February 2020 - Medical device maker Corvalis plc has acquired Tessaron Surgical."
    doc = Pipeline.from_config(names=[*PREFIX])(Doc(id="d", text=text, language="en"))
    names = {m.text for c in pairs_mod.candidates(doc) for m in (c.a, c.b)}
    assert "Medical" not in names and "DUBLIN" not in names


def test_a_person_is_not_a_party() -> None:
    doc = _doc("The board chose Alan Berry who led the company until 2012.", "Alan Berry")
    assert nonnames.is_non_name(doc, _mention(doc, "Alan Berry"))
