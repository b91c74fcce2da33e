"""The learned extraction: retraining on a small slice writes models that load offline and predict;
the shipped models carry their version and figures; names that are not organisations never become parties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alliances.extract.document import Doc, Mention
from alliances.extract.learn import encoder as encoder_mod
from alliances.extract.learn import ner as ner_mod
from alliances.extract.learn import pairs as pairs_mod
from alliances.extract.learn.core import default_core_dir
from alliances.extract.learn.train import PREFIX
from alliances.extract.pipeline import Pipeline
from alliances.extract.run import extract_text
from alliances.extract.steps.organisations import english_mentions

MODELS = Path(pairs_mod.__file__).resolve().parents[2] / "data" / "models"


def test_shipped_models_carry_version_and_training_figures() -> None:
    meta = json.loads((MODELS / "metadata.json").read_text(encoding="utf-8"))
    assert meta["version"] and meta["seed"] == 11
    assert meta["trained_on"]["core_train_sentences"] > 3000
    assert 0.0 < meta["pair_model"]["check_10pct"]["f1"] <= 1.0
    assert pairs_mod.load_models() is not None and ner_mod.load_ner() is not None


def test_places_months_and_currencies_are_not_organisations() -> None:
    for name in ("California", "Multiyear", "Through", "euros", "September", "Swiss", "New York"):
        assert not pairs_mod.is_organisation_name(
            Mention(0, len(name), text=name, canonical=name, source="ner")
        )
    assert pairs_mod.is_organisation_name(Mention(0, 6, text="Sanofi", canonical="Sanofi"))


def test_descriptors_before_coordinated_names_give_the_collaboration() -> None:
    """ "Swiss drugmaker A and chip giant B have entered into …": descriptors are cues (cues.yaml), the pair
    is proposed and extracted, with its type; the descriptor words are never parties."""
    for text, pair in (
        (
            "Swiss drugmaker Corvalis and chip giant Tessaron Systems have entered into a multiyear "
            "research collaboration.",
            {"Corvalis", "Tessaron Systems"},
        ),
        (
            "Pharmaceutical major Corvalis and technology group Tessaron have partnered to develop new "
            "diagnostics.",
            {"Corvalis", "Tessaron"},
        ),
    ):
        record = extract_text(text)
        found = [{p["name"] for p in a["parties"]} for a in record["alliances"]]
        assert found == [pair], record
        assert record["alliances"][0]["type"] == "rd_collaboration"
        doc = Pipeline.from_config(names=[*PREFIX])(Doc(id="d", text=text, language="en"))
        names = {m.text for c in pairs_mod.candidates(doc) for m in (c.a, c.b)}
        assert not names & {"Swiss", "Multiyear", "Pharmaceutical", "Tessaron Systems have"}


def test_english_mention_generators_delimit_names() -> None:
    """mentions.yaml: possessive units, possessive pairs, legal names with a comma or "and"."""
    found = {
        m.text: m.parent for m in english_mentions("Corvalis Holding's Brevana unit and Tessaron signed.")
    }
    assert found == {"Corvalis Holding": None, "Brevana": "Corvalis Holding"}
    found = {m.text for m in english_mentions("The first phase of Brevana and Corvalis's partnership ended.")}
    assert found == {"Brevana", "Corvalis"}
    text = "Brevana, Inc., and Corvalis and Company announced today a collaboration and licensing agreement."
    assert {m.text for m in english_mentions(text)} == {"Brevana, Inc", "Corvalis and Company"}
    record = extract_text("Corvalis Holding's Brevana unit and Tessaron signed a supply agreement.")
    pairs = [{p["name"] for p in a["parties"]} for a in record["alliances"]]
    assert {"Brevana", "Tessaron"} in pairs and {"Corvalis Holding", "Brevana"} not in pairs, record
    # the owner named only in the possessive is no one's partner; named again later, it may be
    doc = _prefix_doc("Corvalis Holding's Brevana unit and Tessaron signed a supply agreement.")
    assert {(c.a.text, c.b.text) for c in pairs_mod.candidates(doc)} == {("Brevana", "Tessaron")}
    doc = _prefix_doc(
        "Corvalis Holding's Brevana unit signed with Tessaron, and Corvalis Holding with Ostrel."
    )
    owners = [m for c in pairs_mod.candidates(doc) for m in (c.a, c.b) if m.text == "Corvalis Holding"]
    assert owners and all(m.start > 0 for m in owners)  # only its second mention pairs


def test_money_and_control_verbs_are_alliance_expressions() -> None:
    """triggers.yaml: "injecte … dans", "achète", "épaule" (French headlines and leads)."""
    for text, kind in (
        ("Corvalis injecte 180 millions de dollars dans la start-up Brevana.", "equity_investment"),
        ("Tessaron épaule Corvalis pour ses essais cliniques.", "rd_collaboration"),
    ):
        record = extract_text(text, language="fr")
        assert [a["type"] for a in record["alliances"]] == [kind], record
        assert len(record["alliances"][0]["parties"]) == 2


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("VÉLIZY-VILLACOUBLAY, 12 juin 2019 - Dassault Systèmes va acquérir Medidata Solutions.", "fr"),
        ("SOUTH SAN FRANCISCO, Calif. -- September 9, 2025 -- Corvalis announced a collaboration.", "en"),
    ],
)
def test_a_dateline_is_not_a_party(text: str, language: str) -> None:
    """With a date, or with its state after the city."""
    place = Mention(0, 19, text=text[:19], canonical=text[:19], source="ner")
    assert pairs_mod.is_dateline(Doc(id="d", text=text), place)
    for lead in ("IBM, 12 partners and Dell signed.", "IBM - Red Hat deal closes"):
        assert not pairs_mod.is_dateline(Doc(id="d", text=lead), Mention(0, 3, text="IBM", canonical="IBM"))
    doc = Pipeline.from_config(names=[*PREFIX])(Doc(id="d", text=text, language=language))
    assert all(text[:8] not in m.text for c in pairs_mod.candidates(doc) for m in (c.a, c.b))


def test_a_dateline_with_its_country_is_not_a_party_nor_what_a_description_stands_for() -> None:
    text = "ERLANGEN, Germany, Aug. 8, 2019 - Siemens Healthineers will acquire Corindus."
    place = Mention(0, 8, text="ERLANGEN", canonical="ERLANGEN", source="ner")
    assert pairs_mod.is_dateline(Doc(id="d", text=text), place)
    other = "ACME, Germany's largest maker, signed with Dell."
    assert not pairs_mod.is_dateline(Doc(id="d", text=other), Mention(0, 4, text="ACME", canonical="ACME"))
    text = "VÉLIZY-VILLACOUBLAY, 12 juin 2019 - L'éditeur français va acquérir Medidata Solutions."
    doc = Pipeline.from_config(names=[*PREFIX])(Doc(id="d", text=text, language="fr"))
    assert all("VÉLIZY" not in m.text for c in pairs_mod.candidates(doc) for m in (c.a, c.b))


def test_an_unresolved_description_is_a_party_only_when_no_other_sentence_names_one() -> None:
    assert pairs_mod.unresolved_rule() == "alone"
    prefix = Pipeline.from_config(names=[*PREFIX])
    alone = "The company signed a licence agreement with Novartis."

    def described(text: str) -> list[str]:
        doc = prefix(Doc(id="d", text=text, language="en"))
        return [c.described for c in pairs_mod.candidates(doc) if c.described]

    assert described(alone) == ["none"]
    assert described(alone + " Microsoft sells software.") == []


@pytest.mark.slow
def test_retraining_on_a_small_slice_loads_and_predicts(tmp_path: Path, monkeypatch: Any) -> None:
    if not (default_core_dir() / "train.json").is_file():
        pytest.skip("../shared/corpus/core is not beside the repository")
    from alliances.extract.learn.train import PREFIX, train_all

    monkeypatch.setattr(ner_mod, "MODEL_DIR", ner_mod.MODEL_DIR)
    monkeypatch.setattr(pairs_mod, "MODEL_PATH", pairs_mod.MODEL_PATH)
    monkeypatch.setattr(encoder_mod, "ADAPTER_PATH", encoder_mod.ADAPTER_PATH)
    try:
        meta = train_all(
            core_limit=150,
            ner_epochs=1,
            with_seeds=False,
            out_dir=tmp_path,
            article_limit=2,
            log=lambda _: None,
        )
        assert (tmp_path / "en_org" / "config.cfg").is_file() and (tmp_path / "pairs.joblib").is_file()
        assert json.loads((tmp_path / "metadata.json").read_text())["pair_model"] == meta["pair_model"]
        assert ner_mod.load_ner(str(tmp_path / "en_org")) is not None
        models = pairs_mod.load_models(str(tmp_path / "pairs.joblib"))
        assert models is not None
        text = "Roche has agreed to acquire Flatiron Health for $1.9 billion, Sanofi said."
        doc = Pipeline.from_config(names=PREFIX)(Doc(id="d", text=text, language="en"))
        cands = list(pairs_mod.candidates(doc))
        probs, types = models.score(cands)
        assert cands and all(0.0 <= p <= 1.0 for p in probs) and all(types)
        assert models.threshold == meta["pair_model"]["threshold"]
        assert (tmp_path / ner_mod.COMMON_WORDS).read_text(encoding="utf-8").split()
        if encoder_mod.base_encoder() is not None:  # the adapter is trained, shipped and read back
            assert meta["encoder"] and (tmp_path / "encoder_adapter.npz").is_file()
            assert models.encodes(doc) and models.alliance.head is not None
            monkeypatch.setenv("ALLIANCES_ENCODER", "0")
            assert models.score(cands)[0] != probs  # without it, the word model alone
    finally:
        ner_mod.common_words.cache_clear()
        ner_mod.load_ner.cache_clear()
        pairs_mod.load_models.cache_clear()
        encoder_mod.load_encoder.cache_clear()


def test_large_cities_are_not_organisations_but_companies_named_after_one_are() -> None:
    def org(name: str) -> bool:
        return pairs_mod.is_organisation_name(Mention(0, len(name), text=name, canonical=name, source="ner"))

    assert not org("Brisbane") and not org("Memphis") and not org("Verona")
    assert org("Toyota")  # a city too, but a company in CORE: scripts/make_places keeps it out


def test_section_headings_are_cut_from_the_start_of_a_recognised_name() -> None:
    lead = ner_mod._leading().match("History Korvane Mining Group")
    assert lead is not None and "History Korvane Mining Group"[lead.end() :] == "Korvane Mining Group"
    assert ner_mod._leading().match("Korvane Mining Group") is None


def test_recogniser_name_with_more_capitalised_words_replaces_a_cut_rule_name() -> None:
    text = "Lomarck merged with Swiss Tallow Corporation in 1998."
    doc = Doc(id="d", text=text, language="en")
    start, end = text.index("Tallow"), text.index(" in 1998")
    doc.mentions = [Mention(start, end, text=text[start:end], canonical=text[start:end], source="cue")]
    wide = text.index("Swiss")
    ner_mod._widen(doc, [Mention(wide, end, text=text[wide:end], source="ner")])
    assert doc.mentions == []


def test_common_words_are_lower_case_words_that_are_never_a_company_name() -> None:
    texts = ["the camera and the camera and the camera", "an apple, an apple, an apple"]
    assert ner_mod.common_word_list(texts, ["Apple"]) == ["camera", "the"]


def _prefix_doc(text: str, language: str = "en") -> Doc:
    return Pipeline.from_config(names=PREFIX)(Doc(id="d", text=text, language=language))


def test_a_description_is_resolved_to_the_subject_of_the_previous_sentence() -> None:
    doc = _prefix_doc(
        "Corvalis Therapeutics opened a new laboratory in Lyon last year. "
        "In March, the Lyon-based biotech signed a research collaboration with Tessaron Systems."
    )
    described = [c for c in pairs_mod.candidates(doc) if c.described]
    assert described, [(c.a.text, c.b.text) for c in pairs_mod.candidates(doc)]
    c = described[0]
    d = c.a if c.a.source == "description" else c.b
    assert (d.canonical, d.alias, c.described) == ("Corvalis Therapeutics", "the Lyon-based biotech", "prev")
    assert "desc" in pairs_mod.features(c) and any(f.startswith("D|") for f in pairs_mod.features(c))


def test_a_resolved_description_scores_under_either_name() -> None:
    """The record names the organisation and keeps the description as an alias: a gold file naming the
    company, and CORE, which marks "the company" itself, both find the pair."""
    from alliances.extract.document import Alliance, Span, Trigger, record
    from alliances.extract.evaluate import score

    text = "Corvalis Therapeutics is based in Lyon. The company works with Tessaron Systems."
    doc = Doc(id="d", text=text, language="en")
    described = Mention(
        40,
        51,
        text="Corvalis Therapeutics",
        canonical="Corvalis Therapeutics",
        source="description",
        alias="The company",
    )
    other = Mention(63, 79, text="Tessaron Systems", canonical="Tessaron Systems", source="ner")
    al = Alliance([described, other], Trigger(52, 57), Span(40, 80))
    pred = {"d": {"id": "d", "alliances": [record(doc, al)]}}
    assert pred["d"]["alliances"][0]["parties"][0]["aliases"] == ["The company"]
    for first in ("Corvalis Therapeutics", "the company"):
        gold = {
            "d": {
                "id": "d",
                "alliances": [
                    {
                        "parties": [first, "Tessaron Systems"],
                        "type": "other",
                        "technologies": [],
                        "stages": [],
                    }
                ],
            }
        }
        assert score(gold, pred).tp == 1, first


def test_a_description_with_no_organisation_before_it_stays_as_written() -> None:
    doc = _prefix_doc("In 2015, the company announced a partnership with Tessaron Systems.")
    ds = [c for c in pairs_mod.candidates(doc) if c.described]
    assert [(c.described, c.a.text) for c in ds] == [("none", "the company")]


def test_an_unnamed_first_sentence_pairs_its_description_with_the_next_sentences_names() -> None:
    doc = _prefix_doc(
        "In 2017, the company raised a further $13.5 million in a Series B round. "
        "Investors included Corvalis Capital and Tessaron Ventures."
    )
    ds = {
        (c.a.text, c.b.text, c.described, c.window is not None)
        for c in pairs_mod.candidates(doc)
        if c.described
    }
    assert ds == {
        ("the company", "Corvalis Capital", "none", True),
        ("the company", "Tessaron Ventures", "none", True),
    }


def test_they_stands_for_the_passages_own_subject_never_for_a_name() -> None:
    """ "Corvalis and Brevana are among their clients": "their" is the unnamed subject of the passage, not
    Corvalis; once a name has come before, in another sentence, "they" is the rules' business."""
    doc = _prefix_doc("They sold test kits to hospital groups, including Corvalis Health and Brevana Care.")
    assert {(c.a.text, c.b.text) for c in pairs_mod.candidates(doc) if c.described} == {
        ("They", "Corvalis Health"),
        ("They", "Brevana Care"),
    }
    doc = _prefix_doc("Corvalis Health and Brevana Care are among their clients.")
    own = [m for c in pairs_mod.candidates(doc) for m in (c.a, c.b) if m.source == "description"]
    assert len(own) == 2 and all(m.text == "their" and not m.alias for m in own)
    doc = _prefix_doc("Corvalis and Brevana signed a supply agreement. They will make test kits together.")
    assert not [c for c in pairs_mod.candidates(doc) if c.described]


def test_a_description_naming_the_next_name_is_not_a_reference() -> None:
    """ "the start-up Tessaron" introduces a name: it stands for no earlier organisation."""
    doc = _prefix_doc("Corvalis Therapeutics will work with the start-up Tessaron Systems on sensors.")
    assert not [c for c in pairs_mod.candidates(doc) if c.described]


def test_a_ticker_is_never_a_party() -> None:
    doc = _prefix_doc(
        "Lantern Pharma Inc. (NASDAQ: LTRN) today announced a collaboration with Boehringer Ingelheim."
    )
    names = {n for c in pairs_mod.candidates(doc) for n in (c.a.text, c.b.text)}
    assert "LTRN" not in names and "Boehringer Ingelheim" in names, names


def test_mean_of_two_learner_ranks_a_telling_feature_and_survives_pickling() -> None:
    """learner.MeanOfTwo (models v6): probabilities in [0, 1], a feature seen only with alliances ranks
    its rows first, and the fitted learner pickles as pairs.joblib stores it."""
    import pickle

    import numpy as np
    from scipy.sparse import csr_matrix

    from alliances.extract.learn.learner import MeanOfTwo

    x = csr_matrix(np.array([[1, 0, 1], [1, 0, 2], [0, 1, 1], [0, 1, 3], [1, 0, 1], [0, 1, 1]], dtype=float))
    y = [1, 1, 0, 0, 1, 0]
    model = pickle.loads(pickle.dumps(MeanOfTwo(random_state=11).fit(x, y, sample_weight=[1, 1, 1, 1, 2, 2])))
    probs = model.predict_proba(x)[:, 1]
    assert ((probs >= 0) & (probs <= 1)).all()
    assert min(probs[[0, 1, 4]]) > max(probs[[2, 3, 5]])
    assert list(model.predict(x)) == y


@pytest.mark.parametrize(
    "text",
    [
        "In 2006, Corvalis Therapeutics sold the company to Tessaron Systems.",  # not itself
        "Founded in 2003 by Corvalis Therapeutics, the company signed with Tessaron Systems.",
        "Through a partnership with Corvalis Therapeutics, it works with Tessaron Systems.",
    ],
)
def test_a_description_that_cannot_be_the_earlier_name_stays_as_written(text: str) -> None:
    doc = _prefix_doc(text)
    ds = [c for c in pairs_mod.candidates(doc) if c.described]
    assert ds and all(c.described == "none" for c in ds), [(c.a.text, c.b.text, c.described) for c in ds]
    pairs = {frozenset((c.a.text, c.b.text)) for c in ds}
    assert any("Tessaron Systems" in p for p in pairs)


def test_an_apposition_opening_the_sentence_is_the_description_s_name() -> None:
    doc = _prefix_doc("Corvalis Therapeutics, the Lyon-based biotech, signed with Tessaron Systems.")
    assert all(c.described != "none" for c in pairs_mod.candidates(doc) if c.described)
