"""nerkit/corpus/columns.py: token-per-line corpora read into documents, in
the formats NER corpora come in (each fixture is a few sentences written for
the test, with the entities it must give), and the book's stream cut into
sentences and documents."""

import pytest

from nerkit.corpus.columns import group_documents, read_documents, segment
from nerkit.corpus.repairs import FragmentEntities
from nerkit.errors import CorpusError

CONLL_2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O
"""
# IOB1, as in the original CoNLL-2003 files: I- opens an entity, B- only
# separates two adjacent entities of one type
IOB1 = """U.N. NNP I-NP I-ORG
official NN I-NP O
Ekeus NNP B-NP I-PER
heads VBZ B-VP O
for IN B-PP O
Baghdad NNP B-NP I-LOC
Rolf NNP I-NP I-PER
Ekeus NNP I-NP B-PER
. . O O
"""
TYPED_TSV = "Barack\tB-PER\nObama\tI-PER\nvisited\tO\nParis\tB-LOC\n.\tO\n"
BILUO = "we\tO\nuse\tO\nk-means\tU-TERM\nand\tO\nthe\tO\n0-1\tB-TERM\nloss\tL-TERM\nat\tO\nACME\tU-ORG\n.\tO\n"
BIOES = "New\tB-LOC\nYork\tE-LOC\nand\tO\nIBM\tS-ORG\n"
UNTYPED_BLANK_LINES = "the\tO\nmodel\tB\nlearns\tO\n\nk-nearest\tB\nneighbors\tI\nwork\tO\n\n\nits\tO\nloss\tB\n"

FORMATS = {
    "conll_2003": (
        CONLL_2003,
        [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER"), ("BRUSSELS", "LOC")],
        [["EU rejects German call.", "Peter Blackburn"], ["BRUSSELS 1996-08-22"]],
    ),
    "iob1": (
        IOB1,
        [("U.N.", "ORG"), ("Ekeus", "PER"), ("Baghdad", "LOC"), ("Rolf", "PER"), ("Ekeus", "PER")],
        None,
    ),
    "typed_tsv": (TYPED_TSV, [("Barack Obama", "PER"), ("Paris", "LOC")], None),
    "biluo": (BILUO, [("k-means", "TERM"), ("0-1 loss", "TERM"), ("ACME", "ORG")], None),
    "bioes": (BIOES, [("New York", "LOC"), ("IBM", "ORG")], None),
    "untyped_blank_lines": (
        UNTYPED_BLANK_LINES,
        [("model", "CONCEPT"), ("k-nearest neighbors", "CONCEPT"), ("loss", "CONCEPT")],
        [["the model learns", "k-nearest neighbors work", "its loss"]],
    ),
}


def documents(path, **kwargs):
    docs, _ = read_documents(path, entity_label="CONCEPT", max_doc_tokens=kwargs.pop("max_doc_tokens", 256), **kwargs)
    return docs


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_each_format_gives_its_entities_labels_sentences_and_documents(tmp_path, name):
    content, expected_ents, expected_sents = FORMATS[name]
    path = tmp_path / f"{name}.txt"
    path.write_text(content, encoding="utf8")
    docs = documents(path)
    assert [(ent.text, ent.label_) for doc in docs for ent in doc.ents] == expected_ents
    if expected_sents is not None:
        assert [[sent.text for sent in doc.sents] for doc in docs] == expected_sents


def test_byte_order_mark_and_crlf_are_read_as_plain_utf8(tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes("\ufeffmodel\tB\r\nworks\tO\r\n".encode("utf8"))
    (doc,) = documents(path)
    assert [t.text for t in doc] == ["model", "works"]
    assert [ent.text for ent in doc.ents] == ["model"]


def test_orphan_inside_label_after_a_blank_line_starts_an_entity(tmp_path):
    path = tmp_path / "orphan.tsv"
    path.write_text("0-1\tB-TERM\n\nloss\tI-TERM\n", encoding="utf8")
    docs, repairs = read_documents(path)
    assert [[e.text for e in d.ents] for d in docs] == [["0-1", "loss"]]
    assert repairs.orphan_i == 1


BAD_FORMATS = {
    "mixed_schemes": ("model\tB\nloss\tB-TERM\n", ":2: label 'B-TERM' mixes typed and untyped labels ('B' on line 1)"),
    "biluo_unclosed": ("0-1\tB-TERM\nloss\tO\nx\tU-TERM\n", ":2: 'O' while an entity 'TERM' is open"),
    "biluo_last_without_begin": ("x\tU-TERM\nloss\tL-TERM\n", ":2: 'L-TERM' without an open 'TERM' entity"),
    "biluo_open_at_blank_line": ("0-1\tB-TERM\n\nloss\tL-TERM\n", ":1: entity 'TERM' is not closed"),
    "space_line_in_tab_file": ("model\tB\nloss O\n", ":2: expected 'token<TAB>label'"),
    "one_column": ("model B\nloss\n", ":2: expected a token and a label, found one column"),
    "unknown_label": ("model\tB\nloss\tX-TERM\n", ":2: unknown label 'X-TERM'"),
    "entity_token_with_space": ("model\tO\nk means\tB\n", ":2: empty token or token with whitespace in an entity"),
    "empty_entity_token": ("model\tO\n \tB-PER\n", ":2: empty token or token with whitespace in an entity"),
    "empty_line_inside_entity": (
        "New\tB-LOC\n \tO\nYork\tI-LOC\n",
        ":2: empty token or token with whitespace inside an entity",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FORMATS))
def test_bad_lines_are_refused_with_file_and_line(tmp_path, case):
    content, expected = BAD_FORMATS[case]
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf8")
    with pytest.raises(CorpusError) as error:
        documents(path)
    assert str(error.value).startswith(f"{path}{expected}")


def test_whitespace_around_tokens_is_stripped_and_textless_outside_lines_are_skipped(tmp_path):
    # as the Broad Twitter Corpus's CoNLL export writes them
    path = tmp_path / "tweets.conll"
    path.write_text("Love\tO\n\U0001f618 \tO\nParis \tB-LOC\n \tO\n\tO\nke s\tO\n!\tO\n", encoding="utf8")
    docs, repairs = read_documents(path)
    assert [t.text for d in docs for t in d] == ["Love", "\U0001f618", "Paris", "!"]
    assert [(e.text, e.label_) for d in docs for e in d.ents] == [("Paris", "LOC")]
    assert repairs.stripped_tokens == 2
    assert repairs.skipped_lines == ["tweets.conll:4", "tweets.conll:5", "tweets.conll:6"]


def test_sentences_end_at_final_punctuation_and_never_before_an_inside_token():
    tokens = ["a", ".", "b", "c", "?", "d"]
    assert segment(tokens, ["O"] * 6, max_sent_tokens=100) == [(0, 2), (2, 5), (5, 6)]
    # "." followed by "I" is not a boundary: the entity goes on
    assert segment(["x", ".", "y"], ["B", "I", "I"], 100) == [(0, 3)]
    # long runs are cut at max_sent_tokens, later only to finish an entity
    assert segment(list("abcde"), ["O"] * 5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert segment(list("abcde"), ["O", "B", "I", "O", "O"], 2) == [(0, 3), (3, 5)]


def test_documents_hold_whole_sentences_up_to_the_size_limit():
    sentences = [(0, 3), (3, 6), (6, 8), (8, 20)]
    assert group_documents(sentences, max_doc_tokens=6) == [[(0, 3), (3, 6)], [(6, 8)], [(8, 20)]]


def test_convert_fixture_labels_sentences_and_text(tmp_path, token_rows, write_tsv):
    path = write_tsv(tmp_path / "tiny.tsv", token_rows)
    all_docs, repairs = read_documents(path, entity_label="CONCEPT", max_doc_tokens=8)
    ents = [(e.text, e.label_) for d in all_docs for e in d.ents]
    assert ents == [("model", "CONCEPT"), ("k-means", "CONCEPT"), ("0-1 loss", "CONCEPT"), ("descent", "CONCEPT")]
    assert sum(len(list(d.sents)) for d in all_docs) == 4
    assert "fine algorithm!" in " ".join(d.text for d in all_docs)
    assert repairs.normalized_tokens == 2 and repairs.private_use_tokens == 1


def test_entities_on_line_break_fragments_are_kept_or_dropped_as_told(tmp_path, fragment_rows, write_tsv):
    path = write_tsv(tmp_path / "fragments.tsv", fragment_rows)
    kept, repairs = read_documents(path, entity_label="TERM")
    assert [e.text for d in kept for e in d.ents] == [
        "tion",
        "means clustering",
        "0-1 loss",
    ] and not repairs.fragment_entities
    dropped, repairs = read_documents(path, entity_label="TERM", fragment_entities=FragmentEntities.drop)
    assert [e.text for d in dropped for e in d.ents] == ["means clustering", "0-1 loss"]
    assert repairs.fragment_entities == {"tion": 1}
    assert [d.text for d in dropped] == [d.text for d in kept]
