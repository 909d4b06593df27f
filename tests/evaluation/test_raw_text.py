"""nerkit/evaluation/raw_text.py: every variant of the test text run
through the pipeline's own tokenizer and scored by character offsets."""

import pytest
import spacy

from nerkit.corpus.text_variants import VARIANTS
from nerkit.evaluation.raw_text import evaluate_raw_text, score_gold_texts


class UppercasingPipeline:
    """A broken pipeline whose docs do not hold the input text."""

    def pipe(self, texts):
        blank = spacy.blank("en")
        return (blank(text.upper()) for text in texts)


def test_a_pipeline_that_changes_the_text_is_refused(term_ruler):
    assert score_gold_texts(term_ruler(), [("a model", {(2, 7, "TERM")})], "ok")[0].to_dict()["f"] == 1.0
    with pytest.raises(ValueError, match="changed the text"):
        score_gold_texts(UppercasingPipeline(), [("a model", set())], "bad")


def test_every_variant_is_scored_with_the_pipeline_tokenizer(annotated):
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "nerkit.tokenizer.v1"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "TERM", "pattern": "k-means"}])
    gold = [annotated(nlp, ["we", "ran", "k-means", "."], [(2, 3)], [True, True, False, False])]
    results, records = evaluate_raw_text(nlp, gold)
    assert set(results) == set(VARIANTS)
    assert all(scores["f"] == 1.0 for scores in results.values()), results
    assert records == [{"text": "we ran k-means.", "gold": [(7, 14, "TERM")], "predicted": [(7, 14, "TERM")]}]
    # a corpus's own variants: the text as converted always, records too
    results, same_records = evaluate_raw_text(nlp, gold, ["upper_case"])
    assert list(results) == ["as_converted", "upper_case"] and same_records == records


def test_norm_matching_finds_terms_in_every_variant(annotated, term_ruler):
    nlp = term_ruler()
    words = ["we", "ran", "k-means", "on", "the", "model", "by", "gradient", "descent", "."]
    spaces = [True] * 8 + [False, False]
    gold = [annotated(nlp, words, [(2, 3), (5, 6), (8, 9)], spaces)] * 3
    results, _ = evaluate_raw_text(nlp, gold)
    assert set(results) == set(VARIANTS)
    assert all(scores["f"] == 1.0 for scores in results.values()), results
