"""scripts/text_variants.py: re-cased and PDF/web copies of a gold document,
with its entities moved along."""

from conftest import hyphen_nlp, sample_doc, term_doc
from pipeline_functions import normalize_text
from text_variants import pdf_web_text, recase_doc, rewrite_doc


def test_case_variants_keep_entities_and_offsets():
    doc = sample_doc(hyphen_nlp())
    assert recase_doc(doc, "sentence").text == "The model fits . Gradient descent works ."
    assert [e.text for e in recase_doc(doc, "title").ents] == ["Model", "Gradient Descent"]
    upper = recase_doc(doc, "upper")
    assert [(e.text, e.start_char, e.end_char) for e in upper.ents] == [("MODEL", 4, 9), ("GRADIENT DESCENT", 17, 33)]


def test_rewrite_doc_moves_offsets_when_lengths_change():
    doc = sample_doc(hyphen_nlp())
    rewritten = rewrite_doc(doc, ["a", "modèle", "fits", ".", "grad", "descent", "works", "."])
    assert [e.text for e in rewritten.ents] == ["modèle", "grad descent"]


def squash(text):
    """The text without the artefacts pdf_web_text adds (and without hyphens
    and whitespace, which it moves)."""
    return "".join(c for c in normalize_text(text) if c not in "- \n\u00a0")


def test_pdf_web_text_moves_every_entity_onto_the_same_word():
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
