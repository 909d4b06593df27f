"""The training-only module (nerkit/train/functions.py, `spacy train
--code`): with it, every registered name of the configs resolves; its
augmenters, corpus readers and logger."""

import json
import random
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.training import Example

from nerkit.train.functions import (
    create_adjacent_entity_augmenter,
    create_balanced_corpus,
    create_case_augmenter,
    create_chain_augmenters,
    create_jsonl_logger,
    create_pdf_web_augmenter,
    create_varied_corpus,
)

TRAINING_MODULE = Path(__file__).resolve().parents[2] / "nerkit" / "train" / "functions.py"


def test_training_module_resolves_every_name_of_the_configs(tmp_path, configs, unresolved_names):
    sections = ["nlp", "components", "corpora", "training", "initialize"]
    found = unresolved_names("python_code", TRAINING_MODULE, sections, tmp_path)
    assert found == {f"{config}[{section}]": [] for config in configs for section in sections}


def test_case_augmenter_replaces_examples_at_the_given_rate(hyphen_nlp, sample_doc):
    nlp = hyphen_nlp()
    example = Example(nlp.make_doc(sample_doc(nlp).text), sample_doc(nlp))
    random.seed(0)
    always = list(create_case_augmenter(1.0, ["upper"])(nlp, example))
    assert len(always) == 1 and always[0].reference.text == "THE MODEL FITS . GRADIENT DESCENT WORKS ."
    assert [e.text for e in always[0].reference.ents] == ["MODEL", "GRADIENT DESCENT"]
    never = list(create_case_augmenter(0.0, ["upper"])(nlp, example))
    assert never == [example]


TWO_TOKEN_TERMS = ("we use k-nearest neighbors and the 0-1 loss with a model " * 6).split()


TWO_TOKEN_ENTS = [(i, i + 2) for i, w in enumerate(TWO_TOKEN_TERMS) if w in ("k-nearest", "0-1")]


def test_pdf_web_augmenter_gives_entities_holding_line_breaks_and_non_breaking_spaces(normalizing_nlp, term_doc):
    nlp = normalizing_nlp()
    reference = term_doc(nlp, TWO_TOKEN_TERMS, TWO_TOKEN_ENTS)
    example = Example(nlp.make_doc(reference.text), reference)
    random.seed(0)
    outputs = [eg for _ in range(30) for eg in create_pdf_web_augmenter(1.0, entity_space_rate=0.5)(nlp, example)]
    gaps = set()
    for eg in outputs:
        assert [t.text for t in eg.predicted] == [t.text for t in eg.reference]  # tokenized as at inference
        assert len(eg.reference.ents) == len(TWO_TOKEN_ENTS)
        gaps |= {t.text for ent in eg.reference.ents for t in ent if t.is_space}
    assert {"\n", "\u00a0"} <= gaps
    assert list(create_pdf_web_augmenter(0.0)(nlp, example)) == [example]


def test_chained_augmenters_apply_in_turn(normalizing_nlp, term_doc):
    nlp = normalizing_nlp()
    reference = term_doc(nlp, TWO_TOKEN_TERMS, TWO_TOKEN_ENTS)
    example = Example(nlp.make_doc(reference.text), reference)
    chain = create_chain_augmenters(create_case_augmenter(1.0, ["upper"]), create_pdf_web_augmenter(1.0))
    (out,) = list(chain(nlp, example))
    assert out.reference.text != reference.text.upper() and out.reference.text.isupper()
    assert [e.text.replace("\u00a0", " ") for e in out.reference.ents][:2] == ["K-NEAREST NEIGHBORS", "0-1 LOSS"]


def test_balanced_corpus_repeats_rare_strings_and_shapes_up_to_the_limit(
    tmp_path, normalizing_nlp, term_doc, write_docbin
):
    nlp = normalizing_nlp()
    common = term_doc(nlp, ["a", "model"], [(1, 2)])
    rare = term_doc(nlp, ["the", "0-1", "loss"], [(1, 3)])
    path = write_docbin(tmp_path / "train.spacy", [common] * 10 + [rare])
    texts = [eg.reference.text for eg in create_balanced_corpus(path, 3, 5, 20, ignore_below=1)(nlp)]
    # "0-1 loss" is seen once: 5 times a epoch for its shape (multi-token), the 10 "model" docs once each
    assert texts.count("the 0-1 loss") == 5 and texts.count("a model") == 10
    capped = [eg.reference.text for eg in create_balanced_corpus(path, 3, 5, 2, ignore_below=1)(nlp)]
    assert capped.count("the 0-1 loss") == 3
    upper = create_balanced_corpus(path, 3, 5, 20, ignore_below=1, augmenter=create_case_augmenter(1.0, ["upper"]))
    assert all(eg.reference.text.isupper() for eg in upper(nlp))  # every copy is augmented


def test_balanced_corpus_repeats_the_rare_outside_reading_of_an_entity_string(
    tmp_path, normalizing_nlp, term_doc, write_docbin
):
    nlp = normalizing_nlp()
    term = term_doc(nlp, ["a", "model"], [(1, 2)])
    # the book never tags two adjacent terms: "model" after "n-gram" is O
    adjacent = term_doc(nlp, ["an", "n-gram", "model"], [(1, 2)])
    path = write_docbin(tmp_path / "train.spacy", [term] * 10 + [adjacent] * 2)

    def texts(min_outside_count):
        read = create_balanced_corpus(path, 1, 1, 20, ignore_below=1, min_outside_count=min_outside_count)
        return [eg.reference.text for eg in read(nlp)]

    assert texts(0).count("an n-gram model") == 2
    # 2 outside readings of "model", each document 4 times: 8 >= 7
    assert texts(7).count("an n-gram model") == 8 and texts(7).count("a model") == 10
    ignored = create_balanced_corpus(path, 1, 1, 20, ignore_below=3, min_outside_count=7)
    assert [eg.reference.text for eg in ignored(nlp)].count("an n-gram model") == 2


def test_adjacent_entity_augmenter_puts_a_term_after_a_term_as_a_non_term(normalizing_nlp, term_doc):
    nlp = normalizing_nlp()
    words = "we fit a model by gradient descent . the model is good".split()
    spaces = [i not in (6, len(words) - 1) for i in range(len(words))]  # "descent."
    reference = Doc(nlp.vocab, words=words, spaces=spaces)
    reference.ents = [Span(reference, s, e, "TERM") for s, e in [(3, 4), (6, 7), (9, 10)]]
    reference[8].is_sent_start = True
    example = Example(nlp.make_doc(reference.text), reference)
    (unchanged,) = list(create_adjacent_entity_augmenter(0.0, 1.0)(nlp, example))
    assert unchanged is example
    (out,) = list(create_adjacent_entity_augmenter(1.0, 1.0)(nlp, example))
    doc = out.reference
    # every term followed by a non-term gets another term of the document after it, as O
    assert doc.text == "we fit a model descent by gradient descent model. the model descent is good"
    assert [(e.text, e.start) for e in doc.ents] == [("model", 3), ("descent", 7), ("model", 11)]
    assert [t.i for t in doc if t.is_sent_start] == [0, 10]
    assert out.predicted.text == doc.text and len(out.predicted) == len(doc)
    # a document whose terms are all one string is left alone: no "model model"
    alone = term_doc(nlp, ["a", "model", "and", "a", "model"], [(1, 2), (4, 5)])
    (same,) = list(create_adjacent_entity_augmenter(1.0, 1.0)(nlp, Example(nlp.make_doc(alone.text), alone)))
    assert same.reference.text == alone.text and len(same.reference.ents) == 2


def test_varied_dev_corpus_reads_documents_in_turns_and_the_same_every_time(
    tmp_path, normalizing_nlp, term_doc, write_docbin
):
    nlp = normalizing_nlp()
    docs = [term_doc(nlp, TWO_TOKEN_TERMS[:20], [(s, e) for s, e in TWO_TOKEN_ENTS if e <= 20])] * 4
    path = write_docbin(tmp_path / "dev.spacy", docs)
    read = create_varied_corpus(path, ["as_is", "upper", "title", "pdf_web"])
    first, second = list(read(nlp)), list(read(nlp))
    texts = [eg.reference.text for eg in first]
    assert texts == [eg.reference.text for eg in second]
    assert (
        texts[0] == docs[0].text
        and texts[1] == docs[0].text.upper()
        and texts[2].startswith("We Use K-nearest Neighbors")
    )
    assert texts[3] != docs[0].text and all(len(eg.reference.ents) == len(docs[0].ents) == 4 for eg in first)


def test_jsonl_logger_writes_one_record_per_evaluation_and_rewrites_the_log(tmp_path, hyphen_nlp, capsys):
    nlp = hyphen_nlp()
    path = tmp_path / "training" / "log.jsonl"
    info = {"epoch": 0, "step": 100, "seconds": 5, "words": 1000, "score": 0.5, "losses": {"ner": 2.0}}
    info["other_scores"] = {"ents_f": 0.5, "ents_per_type": {"TERM": {"f": 0.5}}}
    for _ in range(2):  # a second run starts a new log
        log_step, finalize = create_jsonl_logger(path)(nlp)
        log_step(info)
        log_step(None)  # between evaluations
        finalize()
    (record,) = [json.loads(line) for line in path.read_text().splitlines()]
    assert record == {
        "epoch": 0,
        "step": 100,
        "seconds": 5,
        "words": 1000,
        "score": 0.5,
        "losses": {"ner": 2.0},
        "scores": {"ents_f": 0.5},
    }
