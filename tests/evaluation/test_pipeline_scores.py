"""nerkit/evaluation/pipeline_scores.py: every test score of a pipeline
folder in one call: gold tokens, raw text by variant, sentence sets."""

import json

import pytest
from spacy.tokens import DocBin

from nerkit.corpus.text_variants import VARIANTS
from nerkit.evaluation.pipeline_scores import evaluate_pipeline


def test_gold_tokens_raw_text_and_sentence_sets_of_a_pipeline_folder(tmp_path, term_ruler, annotated):
    nlp = term_ruler()
    nlp.to_disk(tmp_path / "model")
    words = ["we", "ran", "k-means", "on", "the", "model", "and", "a", "bound", "."]
    gold = annotated(nlp, words, [(2, 3), (5, 6), (8, 9)], spaces=[True] * 8 + [False, False])
    DocBin(docs=[gold] * 2).to_disk(tmp_path / "test.spacy")
    sentences = tmp_path / "s.jsonl"
    sentences.write_text(json.dumps({"text": "A K-Means model", "spans": [{"start": 2, "end": 9, "label": "TERM"}]}))
    scores = evaluate_pipeline(tmp_path / "model", tmp_path / "test.spacy", -1, {"user": sentences})
    # the ruler knows k-means and model, not bound: 2 of 3 on every text
    assert scores["gold_tokens"]["ents_p"] == 1.0 and round(scores["gold_tokens"]["ents_r"], 4) == 0.6667
    assert set(scores["raw_text"]) == {*VARIANTS, "user"}
    assert all((s["tp"], s["fp"], s["fn"]) == (4, 0, 2) for name, s in scores["raw_text"].items() if name in VARIANTS)
    assert (scores["raw_text"]["user"]["tp"], scores["raw_text"]["user"]["fp"]) == (1, 1)  # "model" is no gold term
    assert round(scores["gold_tokens"]["per_label"]["TERM"]["r"], 4) == 0.6667


def test_only_the_variants_asked_for_are_scored(tmp_path, term_ruler, annotated):
    nlp = term_ruler()
    nlp.to_disk(tmp_path / "model")
    gold = annotated(nlp, ["we", "ran", "k-means", "."], [(2, 3)], spaces=[True, True, False, False])
    DocBin(docs=[gold]).to_disk(tmp_path / "test.spacy")
    scores = evaluate_pipeline(tmp_path / "model", tmp_path / "test.spacy", -1, variants=["upper_case"])
    assert set(scores["raw_text"]) == {"as_converted", "upper_case"}
    assert scores["raw_text"]["as_converted"]["per_label"]["TERM"]["f"] == 1.0


def test_each_documents_counts_add_up_to_the_scores_on_gold_tokens_and_raw_text(tmp_path, term_ruler, annotated):
    nlp = term_ruler()
    nlp.to_disk(tmp_path / "model")
    words = ["we", "ran", "k-means", ".", "a", "model", "and", "a", "bound", "."]
    # two sentences: gold tokens are predicted sentence by sentence and put
    # back at the document's character offsets
    starts = [True, False, False, False, True, False, False, False, False, False]
    spaces = [True, True, False, True, True, True, True, True, False, False]
    two_sentences = annotated(nlp, words, [(2, 3), (5, 6), (8, 9)], spaces=spaces, sent_starts=starts)
    no_terms = annotated(nlp, ["we", "ran", "."], [], spaces=[True, False, False])
    DocBin(docs=[two_sentences, no_terms], store_user_data=True).to_disk(tmp_path / "test.spacy")
    scores = evaluate_pipeline(tmp_path / "model", tmp_path / "test.spacy", -1, variants=(), per_document=True)
    assert scores["per_document"]["gold_tokens"] == [(2, 0, 1), (0, 0, 0)]
    assert scores["per_document"]["raw_text"] == [(2, 0, 1), (0, 0, 0)]
    assert scores["gold_tokens"]["ents_r"] == pytest.approx(2 / 3) and scores["gold_tokens"]["ents_p"] == 1.0
    assert "per_document" not in evaluate_pipeline(tmp_path / "model", tmp_path / "test.spacy", -1, variants=())
