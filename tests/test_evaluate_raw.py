import pytest
import spacy
from spacy.tokens import Doc, Span

from evaluate_raw import (
    VARIANTS,
    SpanScores,
    char_spans,
    evaluate_raw_text,
    nfkc,
    pdf_ligatures,
    read_sentences,
    score_gold_texts,
    score_sentences,
)


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
    scores = SpanScores()
    scores.add(char_spans(gold), char_spans(pred))
    result = scores.to_dict()
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["p"] == pytest.approx(0.5) and result["r"] == pytest.approx(0.5) and result["f"] == pytest.approx(0.5)
    assert result["per_label"]["TERM"] == {k: v for k, v in result.items() if k != "per_label"}


def test_scores_per_label_count_a_wrong_label_against_both_labels():
    gold = {(0, 5, "PER"), (10, 15, "LOC")}
    pred = {(0, 5, "PER"), (10, 15, "ORG")}
    scores = SpanScores()
    scores.add(gold, pred)
    per_label = scores.to_dict()["per_label"]
    assert {label: (s["tp"], s["fp"], s["fn"]) for label, s in per_label.items()} == {
        "LOC": (0, 0, 1),
        "ORG": (0, 1, 0),
        "PER": (1, 0, 0),
    }


def test_partial_overlap_is_both_a_false_positive_and_a_miss():
    nlp = spacy.blank("en")
    gold = doc_with_ents(nlp, ["gradient", "descent", "works"], [(0, 2)])
    pred = doc_with_ents(nlp, ["gradient", "descent", "works"], [(1, 2)])
    scores = SpanScores()
    scores.add(char_spans(gold), char_spans(pred))
    assert scores.to_dict()["f"] == 0.0


def term_ruler(tokenizer="dlbook.normalizing_tokenizer.v1"):
    """A real pipeline that tags k-means and model by their norms."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": tokenizer}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    ruler.add_patterns([{"label": "TERM", "pattern": p} for p in ("k-means", "model", "descent")])
    return nlp


class UppercasingPipeline:
    """A broken pipeline whose docs do not hold the input text."""

    def pipe(self, texts):
        blank = spacy.blank("en")
        return (blank(text.upper()) for text in texts)


def test_a_pipeline_that_changes_the_text_is_refused():
    assert score_gold_texts(term_ruler(), [("a model", {(2, 7, "TERM")})], "ok")[0].to_dict()["f"] == 1.0
    with pytest.raises(ValueError, match="changed the text"):
        score_gold_texts(UppercasingPipeline(), [("a model", set())], "bad")


def test_empty_scores_are_zero_not_an_error():
    assert SpanScores().to_dict() == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 0, "per_label": {}}


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
    results, records = evaluate_raw_text(nlp, gold)
    assert set(results) == set(VARIANTS)
    assert all(scores["f"] == 1.0 for scores in results.values()), results
    assert records == [{"text": "we ran k-means.", "gold": [(7, 14, "TERM")], "predicted": [(7, 14, "TERM")]}]


def test_norm_matching_finds_terms_in_every_variant():
    nlp = term_ruler()
    words = ["we", "ran", "k-means", "on", "the", "model", "by", "gradient", "descent", "."]
    spaces = [True] * 8 + [False, False]
    gold = [doc_with_ents(nlp, words, [(2, 3), (5, 6), (8, 9)], spaces)] * 3
    results, _ = evaluate_raw_text(nlp, gold)
    assert set(results) == set(VARIANTS)
    assert all(scores["f"] == 1.0 for scores in results.values()), results


def test_sentence_sets_are_read_with_their_offsets_and_scored_per_class(tmp_path):
    path = tmp_path / "s.jsonl"
    lines = [
        '{"text": "A K-Means run", "spans": [{"start": 2, "end": 9, "label": "TERM"}], "class": "cased"}',
        '{"text": "a mo\\u00addel", "spans": [{"start": 2, "end": 8, "label": "TERM"}], "class": "soft_hyphen"}',
        '{"text": "no term here", "spans": [{"start": 3, "end": 7, "label": "TERM"}], "class": "cased"}',
    ]
    path.write_text("\n".join(lines) + "\n\n")
    assert read_sentences(path)[0] == (("A K-Means run", {(2, 9, "TERM")}), "cased")
    result = score_sentences(term_ruler(), path, "test")
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 1)
    assert result["per_class"]["soft_hyphen"]["r"] == 1.0 and result["per_class"]["cased"]["fn"] == 1
    assert result["errors"] == [{"kind": "FN", "text": "term", "sentence": "no term here"}]
