"""nerkit/train/plan.py: the statistics of a corpus, the choices they make
(none for the book: both configs byte for byte as committed), each choice
with its reason, and the fitted config as spaCy reads it."""

import pytest
import spacy
from spacy.tokens import Doc, Span
from spacy.util import load_config_from_str
from thinc.api import Config

from nerkit.corpus.reader import ReadOptions, read_corpus
from nerkit.corpus.repairs import FragmentEntities
from nerkit.train.plan import apply_overrides, fit_config, plan_training, profile_corpus


@pytest.fixture(scope="module")
def book_train(book_corpus):
    docs, _ = read_corpus(book_corpus, ReadOptions(entity_label="TERM", fragment_entities=FragmentEntities.drop))
    return docs["train"]


def doc_with_ents(nlp, words, ents):
    doc = Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return doc


@pytest.fixture(scope="module")
def open_vocabulary_docs():
    """Cased text whose every entity is a string of its own."""
    nlp = spacy.blank("en")
    names = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"]
    return [
        doc_with_ents(nlp, [name, "visited", f"Town{i}", "today", "."], [(0, 1, "PER"), (2, 3, "LOC")])
        for i, name in enumerate(names)
    ]


def test_the_profile_counts_what_the_rules_read(open_vocabulary_docs):
    profile = profile_corpus(open_vocabulary_docs)
    assert (profile.tokens, profile.entities, profile.labels) == (40, 16, ["LOC", "PER"])
    assert profile.distinct_share == 1.0
    # Alice, Town0 are cased; visited, today lowercase
    assert profile.lowercase_share == 0.5
    assert profile.line_breaks_per_10k == 0.0


@pytest.mark.parametrize("config", ["sm", "trf"])
def test_the_book_trains_on_the_config_as_committed(book_train, project_root, config):
    config_path = project_root / "configs" / f"{config}.cfg"
    profile = profile_corpus(book_train)
    assert profile.distinct_share <= 0.05 and profile.lowercase_share >= 0.98 and profile.line_breaks_per_10k >= 2
    plan, text = fit_config(config_path, book_train, project_root / "configs" / "plan.yml")
    assert plan.overrides == {} and not any(choice.applied for choice in plan.choices)
    assert text == config_path.read_text(encoding="utf8")


def test_an_open_cased_corpus_gets_the_larger_network_trained_to_convergence(open_vocabulary_docs, project_root):
    config_path = project_root / "configs" / "sm.cfg"
    plan, text = fit_config(config_path, open_vocabulary_docs, project_root / "configs" / "plan.yml")
    applied = {choice.setting: choice.reason for choice in plan.choices if choice.applied}
    assert set(applied) == {
        "general_network",
        "converge",
        "no_oversampling",
        "no_adjacent_examples",
        "no_case_augmentation",
        "no_pdf_web",
        "dev_variants",
    }
    assert applied["general_network"] == "16 distinct strings in 16 entities (1.000 per entity)"
    assert applied["no_case_augmentation"] == "50.0% of alphabetic tokens lowercase"
    assert "fitted to the corpus by `plan`" in text.splitlines()[0]
    config = load_config_from_str(text, interpolate=True)  # as spaCy reads it
    encode = config["components"]["tok2vec"]["model"]["encode"]
    assert (encode["width"], encode["depth"]) == (128, 4)
    assert config["components"]["ner"]["model"]["use_upper"] is True
    assert config["components"]["ner"]["model"]["tok2vec"]["width"] == 128  # the reference follows
    assert (config["training"]["patience"], config["training"]["max_steps"]) == (1600, 20000)
    assert config["corpora"]["train"]["min_string_count"] == 0
    augmenters = config["corpora"]["train"]["augmenter"]["*"]
    assert augmenters["case"]["level"] == 0.0 and augmenters["pdf_web"]["level"] == 0.0
    assert config["corpora"]["dev"]["variants"] == ["as_is"]


def test_max_steps_caps_the_plans_schedule(open_vocabulary_docs, project_root):
    config_path = project_root / "configs" / "sm.cfg"
    plan, text = fit_config(config_path, open_vocabulary_docs, project_root / "configs" / "plan.yml", max_steps=300)
    assert plan.overrides["training.max_steps"] == 300
    assert load_config_from_str(text, interpolate=True)["training"]["max_steps"] == 300


def test_static_vectors_are_used_where_given(open_vocabulary_docs, project_root):
    plan = plan_training(
        profile_corpus(open_vocabulary_docs), project_root / "configs" / "plan.yml", "trf", [], vectors="vec/dir"
    )
    assert plan.overrides["paths.vectors"] == "vec/dir"
    assert plan.overrides["components.ner.model.tok2vec.embed.embed.include_static_vectors"] is True


def test_a_setting_the_config_lacks_is_left_out():
    config = Config().from_str("[paths]\nvectors = null\n\n[training]\nmax_steps = 5\n")
    applied = apply_overrides(
        config, {"training.max_steps": 9, "corpora.train.augmenter.*.adjacent.level": 0.0, "paths.vectors": "v"}
    )
    assert applied == ["training.max_steps", "paths.vectors"]
    assert config["training"]["max_steps"] == 9 and "corpora" not in config
