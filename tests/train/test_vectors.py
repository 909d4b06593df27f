"""nerkit/train/vectors.py: a vectors text file made a spaCy vectors folder
(spaCy's converter), a folder used as it is, and bad vectors refused with
the file named; a short training with include_static_vectors reads them."""

import numpy
import pytest
import spacy

from nerkit.errors import NerkitError
from nerkit.train.vectors import glove_folder, vectors_folder

WORDS = ["model", "descent", "gradient", "the", "a", "learning"]


def test_a_vec_file_becomes_a_vectors_folder_and_a_folder_is_used_as_it_is(tmp_path, write_vec):
    folder = vectors_folder(write_vec(tmp_path / "small.vec", WORDS), tmp_path / "vectors")
    assert folder == tmp_path / "vectors"
    nlp = spacy.load(folder)
    assert nlp.vocab.vectors.shape == (len(WORDS), 8) and nlp.vocab["descent"].has_vector
    assert [source["name"] for source in nlp.meta["sources"]] == ["small.vec"]
    assert vectors_folder(folder, tmp_path / "elsewhere") == folder
    assert not (tmp_path / "elsewhere").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left


def test_bad_vectors_are_refused_with_the_file_named(tmp_path):
    with pytest.raises(NerkitError, match="missing.vec: vectors not found"):
        vectors_folder(tmp_path / "missing.vec", tmp_path / "out")
    (tmp_path / "words.csv").write_text("a,b\n")
    with pytest.raises(NerkitError, match="words.csv: vectors must be a spaCy folder or a"):
        vectors_folder(tmp_path / "words.csv", tmp_path / "out")
    (tmp_path / "folder").mkdir()
    with pytest.raises(NerkitError, match="folder: not a spaCy vectors folder"):
        vectors_folder(tmp_path / "folder", tmp_path / "out")
    (tmp_path / "broken.vec").write_text("2 3\nword 0.1 x 0.3\n")
    with pytest.raises(NerkitError, match="broken.vec: not a word-vectors text file"):
        vectors_folder(tmp_path / "broken.vec", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_training_with_static_vectors_reads_them(
    tmp_path, tiny_corpus, project_root, spacy_train, book_corpus, write_vec
):
    words = sorted({line.split("\t")[0] for line in book_corpus.read_text(encoding="utf8").splitlines()[:6000]})
    folder = vectors_folder(write_vec(tmp_path / "book.vec", words), tmp_path / "vectors")
    spacy_train(
        project_root / "configs" / "sm.cfg",
        tmp_path / "training",
        tiny_corpus,
        paths__vectors=folder,
        components__tok2vec__model__embed__include_static_vectors="true",
        training__max_steps=4,
        training__eval_frequency=2,
    )
    nlp = spacy.load(tmp_path / "training" / "model-last")
    assert nlp.config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] is True
    given = spacy.load(folder).vocab
    for word in ("model", words[100], words[-1]):
        assert numpy.allclose(nlp.vocab[word].vector, given[word].vector) and given[word].has_vector


@pytest.mark.slow
def test_glove_becomes_a_vectors_folder_that_finds_cased_words(tmp_path):
    folder = glove_folder(tmp_path / "glove")
    nlp = spacy.load(folder)
    vocab = nlp.vocab
    assert nlp.meta["sources"][0]["name"] == "GloVe 6B 50d" and nlp.meta["sources"][0]["license"] == "PDDL 1.0"
    assert vocab.vectors.shape == (400_000, 50) and vocab.vectors.n_keys > 1_000_000
    for word in ("Obama", "PARIS", "paris", "Paris"):
        assert vocab[word].has_vector
    assert numpy.array_equal(vocab["Paris"].vector, vocab["paris"].vector)
    assert not numpy.array_equal(vocab["paris"].vector, vocab["london"].vector)
