"""nerkit/corpus/text_variants.py: re-cased, NFKC, ligature and PDF/web
copies of a gold document, with its entities moved along."""

import pytest
import spacy

from nerkit.corpus.text_variants import (
    VARIANTS,
    nfkc,
    parse_text_variants,
    pdf_ligatures,
    pdf_web_text,
    recase_doc,
    rewrite_doc,
)
from nerkit.errors import OptionError
from nerkit.pipeline_functions import normalize_text


def test_case_variants_keep_entities_and_offsets(hyphen_nlp, sample_doc):
    doc = sample_doc(hyphen_nlp())
    assert recase_doc(doc, "sentence").text == "The model fits . Gradient descent works ."
    assert [e.text for e in recase_doc(doc, "title").ents] == ["Model", "Gradient Descent"]
    upper = recase_doc(doc, "upper")
    assert [(e.text, e.start_char, e.end_char) for e in upper.ents] == [("MODEL", 4, 9), ("GRADIENT DESCENT", 17, 33)]


def test_rewrite_doc_moves_offsets_when_lengths_change(hyphen_nlp, sample_doc):
    doc = sample_doc(hyphen_nlp())
    rewritten = rewrite_doc(doc, ["a", "modèle", "fits", ".", "grad", "descent", "works", "."])
    assert [e.text for e in rewritten.ents] == ["modèle", "grad descent"]


def squash(text):
    """The text without the artefacts pdf_web_text adds (and without hyphens
    and whitespace, which it moves)."""
    return "".join(c for c in normalize_text(text) if c not in "- \n\u00a0")


def test_pdf_web_text_moves_every_entity_onto_the_same_word(hyphen_nlp, term_doc):
    nlp = hyphen_nlp()
    words = ("we fit the model by gradient descent and k-means clustering , then fine-tuning of the model " * 8).split()
    ents = [(i, i + 1) for i, w in enumerate(words) if w in ("model", "descent", "k-means", "fine-tuning")]
    doc = term_doc(nlp, words, ents)
    texts = []
    for seed in range(20):
        text, spans = pdf_web_text(doc, seed)
        texts.append(text)
        assert squash(text) == squash(doc.text)
        assert max(len(normalize_text(line)) for line in text.split("\n")) <= 78 and text.count("\n") >= 6
        gold = sorted((s, e) for s, e, _ in spans)
        assert len(gold) == len(doc.ents)
        assert [squash(text[s:e]) for s, e in gold] == [squash(e.text) for e in doc.ents]
        assert all(normalize_text(text[s]).isalnum() and normalize_text(text[e - 1]).isalnum() for s, e in gold)
    joined = "".join(texts)
    for artefact in ("-\n", "\u00ad", "\u00a0", "\u2010", "\u2011"):
        assert artefact in joined, artefact
    assert any(c in joined for c in "\u200b\u200c\u200d")


def test_ligature_and_nfkc_variants_keep_entities_on_the_changed_words(annotated):
    nlp = spacy.blank("en")
    doc = annotated(nlp, ["the", "fine-tuning", "of", "a", "model"], [(1, 2), (4, 5)])
    pdf = pdf_ligatures(doc)
    assert pdf.text == "the ﬁne-tuning of a model"
    assert [e.text for e in pdf.ents] == ["ﬁne-tuning", "model"]
    assert nfkc(pdf).text == doc.text
    assert [e.text for e in nfkc(pdf).ents] == ["fine-tuning", "model"]


def test_each_variant_gives_a_text_and_its_gold_spans_on_the_same_words(sample_doc):
    doc = sample_doc(spacy.blank("en"))
    for name, variant in VARIANTS.items():
        text, spans = variant(doc, 0)
        assert len(spans) == len(doc.ents), name
        assert sorted(normalize_text(text[s:e]).lower().split() for s, e, _ in spans) == sorted(
            e.text.split() for e in doc.ents
        ), name


def test_text_variants_are_parsed_and_an_unknown_one_is_refused():
    assert parse_text_variants("as_converted,upper_case,") == ["as_converted", "upper_case"]
    with pytest.raises(OptionError, match="unknown text variants shouting; known: as_converted"):
        parse_text_variants("upper_case,shouting")
