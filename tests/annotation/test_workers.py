"""nerkit/annotation/workers.py: each shard annotated in a memory zone that
frees its strings (a rule-based pipeline), and the pipeline as annotate runs
it (a real trained one: tensors dropped, entities kept). The in-process and
Dask runs themselves are tested through annotate (test_run.py)."""

import random

import pytest

from nerkit.annotation.workers import annotate_shard, load_for_annotation
from nerkit.common.loading import load_pipeline
from nerkit.common.renewal import RenewingPipeline


def corpus_texts(corpus_slice, n: int, words_per_text: int = 20):
    """n texts of the real corpus, in order."""
    words = [token for token, _ in corpus_slice(n * words_per_text)]
    return [" ".join(words[i : i + words_per_text]) for i in range(0, len(words), words_per_text)]


def test_each_shard_is_annotated_in_a_memory_zone_that_frees_its_strings(normalizing_nlp):
    nlp = normalizing_nlp()
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"}).add_patterns(
        [{"label": "TERM", "pattern": "model"}]
    )
    rng = random.Random(0)

    def new_words(n):  # distinct words, some normalised by the tokenizer (soft hyphen, fullwidth)
        words = ["".join(rng.choice("abcdefghij") for _ in range(12)) for _ in range(n)]
        return [" ".join([w[:3] + "\u00ad" + w[3:], "ｍ" + w, w, "model"]) for w in words]

    pipeline = RenewingPipeline(lambda: nlp)

    def strings(nlp):
        return {"strings": len(nlp.vocab.strings)}

    first = annotate_shard(pipeline, new_words(200), 32, strings)
    assert [e["text"] for e in first["ents"][0]] == ["model"] and first["renewed"] is False
    after = [annotate_shard(pipeline, new_words(200), 32, strings)["observed"]["strings"] for _ in range(3)]
    assert after == [first["observed"]["strings"]] * 3  # nothing of the texts stays
    list(nlp.pipe(new_words(200)))  # the same texts outside a zone: their strings stay
    assert len(nlp.vocab.strings) >= first["observed"]["strings"] + 600


@pytest.mark.slow
def test_annotation_pipeline_drops_the_tensors_and_keeps_the_entities(sm_model, corpus_slice):
    texts = corpus_texts(corpus_slice, 300)
    plain = load_pipeline(sm_model)
    cleaned = load_for_annotation(str(sm_model), -1)
    assert cleaned.pipe_names == [*plain.pipe_names, "doc_cleaner"]
    plain_docs, cleaned_docs = list(plain.pipe(texts)), list(cleaned.pipe(texts))
    width = plain.config["components"]["tok2vec"]["model"]["encode"]["width"]
    assert all(doc.tensor.shape == (len(doc), width) for doc in plain_docs)
    assert all(doc.tensor is None for doc in cleaned_docs)
    assert sum(len(doc.ents) for doc in plain_docs) >= 10
    assert [[(e.start_char, e.end_char) for e in doc.ents] for doc in cleaned_docs] == [
        [(e.start_char, e.end_char) for e in doc.ents] for doc in plain_docs
    ]
