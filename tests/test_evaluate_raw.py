import pytest
import spacy
from spacy.tokens import Doc, Span

from evaluate_raw import PRF, VARIANTS, evaluate_raw_text, nfkc, pdf_ligatures, score_char_spans


def doc_with_ents(nlp, words, ents, spaces=None):
    spaces = spaces or [True] * (len(words) - 1) + [False]
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    doc.ents = [Span(doc, s, e, "TERM") for s, e in ents]
    return doc


def test_char_offset_scores_on_a_hand_checked_fixture():
    nlp = spacy.blank("en")
    words = ["the", "model", "and", "the", "bound", "fit"]
    gold = doc_with_ents(nlp, words, [(1, 2), (4, 5)])
    pred = doc_with_ents(nlp, words, [(1, 2), (5, 6)])  # one hit, one miss, one false alarm
    score = score_char_spans([gold], [pred])
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.precision == pytest.approx(0.5) and score.recall == pytest.approx(0.5) and score.f == pytest.approx(0.5)


def test_partial_overlap_is_both_a_false_positive_and_a_miss():
    nlp = spacy.blank("en")
    gold = doc_with_ents(nlp, ["gradient", "descent", "works"], [(0, 2)])
    pred = doc_with_ents(nlp, ["gradient", "descent", "works"], [(1, 2)])
    assert score_char_spans([gold], [pred]).to_dict()["f"] == 0.0


def test_texts_must_match():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError):
        score_char_spans([nlp("a b")], [nlp("a c")])


def test_empty_scores_are_zero_not_an_error():
    assert PRF().to_dict() == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 0}


def test_ligature_and_nfkc_variants_keep_entities_on_the_changed_words():
    nlp = spacy.blank("en")
    doc = doc_with_ents(nlp, ["the", "fine-tuning", "of", "a", "model"], [(1, 2), (4, 5)])
    pdf = pdf_ligatures(doc)
    assert pdf.text == "the ﬁne-tuning of a model"
    assert [e.text for e in pdf.ents] == ["ﬁne-tuning", "model"]
    assert nfkc(pdf).text == doc.text
    assert [e.text for e in nfkc(pdf).ents] == ["fine-tuning", "model"]


def test_every_variant_is_scored_with_the_pipeline_tokenizer():
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.tokenizer.v1"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "TERM", "pattern": "k-means"}])
    gold = [doc_with_ents(nlp, ["we", "ran", "k-means", "."], [(2, 3)], [True, True, False, False])]
    results = evaluate_raw_text(nlp, gold)
    assert set(results) == set(VARIANTS)
    assert all(scores["f"] == 1.0 for scores in results.values()), results
