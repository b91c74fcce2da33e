"""Each pipeline step alone, and the parties rules on short realistic sentences."""

from __future__ import annotations

import pytest

from alliances.errors import InvalidInput
from alliances.extract.document import Doc
from alliances.extract.gazetteer import Gazetteer
from alliances.extract.pipeline import REGISTRY, Pipeline
from alliances.extract.steps.basic import guess_language
from alliances.extract.text import clean, segment

ORGS = [
    {"name": n}
    for n in (
        "Sanofi",
        "Google",
        "Servier",
        "Numerate",
        "Amgen",
        "Owkin",
        "Novartis",
        "Pfizer",
        "Moderna",
        "Roche",
        "Iktos",
    )
] + [
    {"name": "Verily", "parent": "Alphabet"},
    {"name": "Alphabet"},
]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_config(Gazetteer(ORGS))


def pairs(pipeline: Pipeline, text: str, **kw: str) -> list[set[str]]:
    doc = pipeline(Doc(id="t", text=text, **kw))
    return [{p["canonical"] for p in a["parties"]} for a in doc.to_record()["alliances"]]


def test_segment_joins_wrapped_lines_but_keeps_headlines() -> None:
    text = "Servier et Numerate (start-up en IA),\nsignent un accord.\n\nQubit s'allie à NVIDIA\n\nStart-up à la loupe"  # noqa: E501
    cleaned = clean(text)
    sentences = [cleaned[s.start : s.end] for s in segment(cleaned)]
    assert sentences[0] == "Servier et Numerate (start-up en IA), signent un accord."
    assert "Qubit s'allie à NVIDIA" in sentences and "Start-up à la loupe" in sentences


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Le laboratoire a signé un accord avec la start-up pour développer des traitements.", "fr"),
        ("The company has signed an agreement with the start-up to develop new treatments.", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert guess_language(text) == lang


def test_pipeline_order_comes_from_configuration() -> None:
    names = [n for n, _ in Pipeline.from_config(Gazetteer()).steps]
    assert names[0] == "segment" and names[-1] == "merge_duplicates" and set(names) <= set(REGISTRY)
    with pytest.raises(InvalidInput):
        Pipeline.from_config(Gazetteer(), names=["segment", "no_such_step"])


def test_extract_coordinated_pairs(pipeline: Pipeline) -> None:
    found = pairs(
        pipeline,
        "Cet usage passe par des associations entre industriels et start-up : "
        "Servier et Numerate, Amgen et Owkin, etc.",
    )
    assert found == [{"Servier", "Numerate"}, {"Amgen", "Owkin"}]


def test_subsidiary_parent_is_not_a_party(pipeline: Pipeline) -> None:
    found = pairs(pipeline, "Verily, la filiale santé d'Alphabet, a signé un accord avec Novartis.")
    assert found == [{"Verily", "Novartis"}]


def test_company_and_its_subsidiary_are_not_partners(pipeline: Pipeline) -> None:
    assert pairs(pipeline, "Alphabet a signé un accord avec Verily pour réorganiser ses activités.") == []


def test_competitors_and_plain_mentions_give_nothing(pipeline: Pipeline) -> None:
    text = "Pfizer, Moderna et Roche se disputent le marché des vaccins. Sanofi publie ses résultats."
    assert pairs(pipeline, text) == []


def test_plural_pronoun_takes_the_previous_parties(pipeline: Pipeline) -> None:
    doc = pipeline(
        Doc(
            id="t",
            text="Sanofi a signé un partenariat avec Google dans l'e-santé. "
            "En 2016, ils avaient conclu une collaboration dans le diabète.",
        )
    )
    records = doc.to_record()["alliances"]
    assert [r["date"] for r in records] == [None, "2016"]
    assert all({p["canonical"] for p in r["parties"]} == {"Sanofi", "Google"} for r in records)
    assert records[1]["therapeutic_areas"] == ["diabetes"]


def test_unknown_english_companies_by_name_cues(pipeline: Pipeline) -> None:
    found = pairs(pipeline, "Acme Therapeutics, Inc. today announced a license agreement with Zeta Bio Ltd.")
    assert len(found) == 1 and {n.split(",")[0] for n in found[0]} >= {"Acme Therapeutics"}


def test_type_amount_status_and_vehicle(pipeline: Pipeline) -> None:
    doc = pipeline(
        Doc(
            id="t",
            date="2023-05-02",
            text=(
                "Servier et Iktos créent une coentreprise baptisée QuantaMol. Les deux sociétés y investiront "  # noqa: E501
                "25 millions d'euros. Roche a racheté Owkin pour $1.2bn le 3 mars. Sanofi a mis fin à son "
                "partenariat avec Google."
            ),
        )
    )
    recs = {frozenset(p["canonical"] for p in r["parties"]): r for r in doc.to_record()["alliances"]}
    jv = recs[frozenset({"Servier", "Iktos"})]
    assert (jv["type"], jv["vehicle"], jv["amount"]) == (
        "joint_venture",
        "QuantaMol",
        {"value": 25e6, "currency": "EUR"},
    )
    deal = recs[frozenset({"Roche", "Owkin"})]
    assert (deal["type"], deal["date"], deal["amount"]["value"]) == ("acquisition", "2023-03-03", 1.2e9)
    assert recs[frozenset({"Sanofi", "Google"})]["status"] == "terminated"


def test_headline_and_body_of_one_deal_give_one_record(pipeline: Pipeline) -> None:
    text = (
        "Boehringer Ingelheim and Lantern Pharma enter AI oncology collaboration\n\n"
        "DALLAS, March 4, 2025 -- Lantern Pharma Inc. (NASDAQ: LTRN) today announced a collaboration with "
        "Boehringer Ingelheim to apply its AI platform to tumour data. Lantern Pharma will receive an "
        "upfront payment of $10 million."
    )
    recs = pipeline(Doc(id="t", text=text)).to_record()["alliances"]
    assert len(recs) == 1
    rec = recs[0]
    assert rec["date"] == "2025-03-04" and rec["amount"] == {"value": 10e6, "currency": "USD"}
    assert rec["evidence"].startswith("DALLAS")  # the body sentence says more than the headline


def test_two_dated_deals_between_the_same_parties_stay_two(pipeline: Pipeline) -> None:
    text = (
        "Sanofi a signé un nouveau partenariat avec Google dans l'e-santé. "
        "En 2016, ils avaient conclu une collaboration dans le diabète."
    )
    recs = pipeline(Doc(id="t", text=text)).to_record()["alliances"]
    assert sorted(str(r["date"]) for r in recs) == ["2016", "None"]


@pytest.mark.parametrize(
    "text",
    [
        "En 2021, Bayer avait racheté la biotech Vividion Therapeutics pour 1,5 milliard de dollars.",
        "En 2021, la biotech Vividion Therapeutics a été rachetée par Bayer pour 1,5 milliard de dollars.",
        "En 2021, Bayer avait acquis la biotech Vividion Therapeutics pour 1,5 milliard de dollars.",
    ],
)
def test_french_past_and_passive_acquisitions_of_unknown_companies(text: str) -> None:
    pipeline = Pipeline.from_config(Gazetteer([{"name": "Bayer"}]))
    recs = pipeline(Doc(id="t", text=text)).to_record()["alliances"]
    assert len(recs) == 1
    rec = recs[0]
    assert {p["canonical"] for p in rec["parties"]} == {"Bayer", "Vividion Therapeutics"}
    assert (rec["type"], rec["date"], rec["amount"]) == (
        "acquisition",
        "2021",
        {"value": 1.5e9, "currency": "USD"},
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2025-03-06", "2025-03-04"), (None, None)],
)
def test_weekday_resolves_against_the_publication_date(
    pipeline: Pipeline, date: str | None, expected: str | None
) -> None:
    doc = Doc(id="t", text="Kappa Health a signé mardi un partenariat avec Nordia Labs.", date=date)
    recs = pipeline(doc).to_record()["alliances"]
    assert [r["date"] for r in recs] == [expected]


def test_rumours_are_kept_with_low_confidence_and_no_status(pipeline: Pipeline) -> None:
    text = "Pfizer is in talks to acquire Aurevia Bio, according to people familiar with the matter."
    recs = pipeline(Doc(id="t", text=text)).to_record()["alliances"]
    assert len(recs) == 1 and recs[0]["status"] is None and recs[0]["confidence"] <= 0.3


def test_series_round_gives_one_alliance_per_investor(pipeline: Pipeline) -> None:
    text = (
        "Tessellate Bio today announced a $45 million Series B financing led by ARCH Venture Partners, "
        "with participation from new investor Novo Holdings."
    )
    found = pairs(pipeline, text)
    assert found == [{"Tessellate Bio", "ARCH Venture Partners"}, {"Tessellate Bio", "Novo Holdings"}]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Boston-based Battery Ventures", "Battery Ventures"),
        ("San Francisco-based Corvalis Labs", "Corvalis Labs"),
    ],
)
def test_a_place_based_descriptor_is_cut_from_a_name(text: str, name: str) -> None:
    from alliances.extract.steps.organisations import clean_span

    span = clean_span(text, 0, len(text))
    assert span is not None and text[span[0] : span[1]] == name
