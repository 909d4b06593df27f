"""Fixtures of the evaluation tests: a rule-based
pipeline that finds terms by their norms, a training log."""

import pytest
import spacy


@pytest.fixture(scope="session")
def term_ruler():
    """term_ruler(): a real pipeline with the normalising tokenizer that tags
    k-means, model and descent by their norms."""

    def make():
        nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "nerkit.normalizing_tokenizer.v1"}}})
        ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
        ruler.add_patterns([{"label": "TERM", "pattern": p} for p in ("k-means", "model", "descent")])
        return nlp

    return make


@pytest.fixture(scope="session")
def training_records():
    """training_records(): the records of a JSONL training log, three
    evaluations (steps 0, 100, 200; dev scores 0, 0.8, 0.95)."""

    def make():
        return [
            {
                "epoch": 0,
                "step": step,
                "seconds": step // 10,
                "words": step * 100,
                "score": score,
                "losses": {"tok2vec": 1.0 / (step + 1), "ner": 2.0 / (step + 1)},
            }
            for step, score in [(0, 0.0), (100, 0.8), (200, 0.95)]
        ]

    return make
