"""nerkit/corpus/documents.py: converted documents from words, a document
rewritten with other words (spaces, sentences and entities kept by token),
and a document's bare tokens."""

import spacy

from nerkit.corpus.documents import bare_tokens, make_doc, rewrite_doc, spaces_for


def test_detokenized_text_has_no_space_before_closing_punctuation():
    words = ["the", "model", "(", "k-means", ")", ",", "works", "."]
    spaces = spaces_for(words)
    text = "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True))
    assert text == "the model (k-means), works."


def test_a_converted_document_starts_its_sentences_and_holds_its_entities():
    nlp = spacy.blank("en")
    words = ["the", "model", "works", ".", "k-means", "too"]
    doc = make_doc(nlp.vocab, words, ["O", "U-TERM", "O", "O", "U-TERM", "O"], [(10, 14), (14, 16)])
    assert [s.text for s in doc.sents] == ["the model works.", "k-means too"]
    assert [(e.text, e.label_) for e in doc.ents] == [("model", "TERM"), ("k-means", "TERM")]


def test_a_rewritten_document_keeps_spaces_sentences_and_entities_by_token():
    nlp = spacy.blank("en")
    doc = make_doc(nlp.vocab, ["a", "model", ".", "ok"], ["O", "U-TERM", "O", "O"], [(0, 3), (3, 4)])
    other = spacy.blank("en").vocab
    rewritten = rewrite_doc(doc, ["A", "MODELS", ".", "Ok"], other)
    assert rewritten.text == "A MODELS. Ok" and rewritten.vocab is other
    assert [e.text for e in rewritten.ents] == ["MODELS"]
    assert [s.text for s in rewritten.sents] == ["A MODELS.", "Ok"]
    no_sentences = rewrite_doc(nlp.make_doc("a model"), ["a", "loss"])
    assert not no_sentences.has_annotation("SENT_START")


def test_bare_tokens_keep_words_and_spaces_and_nothing_else():
    nlp = spacy.blank("en")
    doc = make_doc(nlp.vocab, ["a", "model", "."], ["O", "U-TERM", "O"], [(0, 3)])
    bare = bare_tokens(doc[1:3], nlp.vocab)
    assert [t.text for t in bare] == ["model", "."] and not bare.ents
    assert not bare.has_annotation("SENT_START")
