"""scripts/data_quality.py: each finding on a hand-made corpus, the leaks
between splits, and the command on a corpus that is not token-per-line."""

import json

from conftest import invoke, write_tsv
from convert import main as convert_cli
from corpus_columns import FragmentEntities, read_columns
from data_quality import analyse, leaks, to_markdown
from data_quality import main as data_quality_cli

ROWS = [
    ("the", "O"),
    ("distribu-", "O"),
    ("tion", "B"),  # a line-break fragment labelled as a term
    ("model", "B"),
    ("and", "O"),
    ("model", "O"),  # the same string outside any entity
    ("\ue03e", "O"),
    ("ﬁne-tuning", "B"),
    ("loss", "I"),
    ("µ", "O"),
    ("work", "I"),  # an I with no open entity
]


def test_analysis_counts_each_finding_of_a_hand_made_corpus(tmp_path):
    report = analyse(read_columns(write_tsv(tmp_path / "q.tsv", ROWS)))
    assert (report["tokens"], report["entities"]) == (11, 4)
    assert report["entity_strings"] == {"tion": 1, "model": 1, "ﬁne-tuning loss": 1, "work": 1}
    assert (report["line_break_fragments"], report["line_break_fragments_labelled_as_term"]) == (1, 1)
    assert report["labelled_both_ways"] == {"model": {"as_term": 1, "not_term": 1}}
    assert (report["private_use_tokens"], report["private_use_distinct_glyphs"]) == (1, 1)
    assert (report["ligature_tokens"], report["ligature_tokens_in_entities"]) == (1, 1)
    assert report["other_nfkc_tokens"] == 1  # µ
    assert report["orphan_i"] == 1


def test_markdown_shows_the_findings_table_and_the_strings_labelled_both_ways(tmp_path):
    path = write_tsv(tmp_path / "q.tsv", ROWS)
    markdown = to_markdown(analyse(read_columns(path)), path)
    assert markdown.startswith(f"# Data quality of `{path}`")
    assert "| ... of which labelled as a term | 1 | kept (faithful to the annotations): `tion` (1) |" in markdown
    dropped = to_markdown(analyse(read_columns(path)), path, FragmentEntities.drop)
    assert "| 1 | dropped (`--fragment-entities drop`: annotation artefacts): `tion` (1) |" in dropped
    assert "| `model` | 1 | 1 |" in markdown
    # six tokens of context each side, as in the corpus (glyph and ligature kept)
    assert "- `the distribu- [tion] model and model \ue03e ﬁne-tuning loss`" in markdown


def test_texts_in_more_than_one_split_are_reported_as_leaks(tmp_path):
    import spacy

    nlp = spacy.blank("en")
    docs = {
        "train": [nlp("a model here"), nlp("only in train")],
        "dev": [nlp("a  model\nhere")],  # the same text but for whitespace
        "test": [nlp("only in test"), nlp("only in train")],
    }
    report = leaks(docs)
    assert report["texts_in_several_splits"] == 2
    assert report["examples"] == [
        {"text": "a model here", "splits": ["dev", "train"]},
        {"text": "only in train", "splits": ["test", "train"]},
    ]
    assert leaks({"train": docs["train"][:1], "dev": [], "test": docs["test"][:1]})["texts_in_several_splits"] == 0


def test_cli_reads_a_jsonl_split_folder_through_its_documents_and_names_the_leak(tmp_path):
    from test_corpus_spans import write_jsonl

    folder = tmp_path / "split"
    folder.mkdir()
    record = {"text": "We use k-means here.", "label": [[7, 14, "METHOD"]]}
    write_jsonl(folder / "train.jsonl", [record, {"text": "a model", "label": [[2, 7, "TERM"]]}])
    write_jsonl(folder / "dev.jsonl", [{"text": "another model", "label": [[8, 13, "TERM"]]}])
    write_jsonl(folder / "test.jsonl", [record])
    assert invoke(convert_cli, [folder, tmp_path / "corpus"]).exit_code == 0
    result = invoke(data_quality_cli, [folder, tmp_path / "corpus", tmp_path / "dq.md"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "dq.json").read_text())
    assert report["entity_strings"] == {"k-means": 2, "model": 2}
    assert report["leaks"]["examples"] == [{"text": "We use k-means here.", "splits": ["test", "train"]}]
    markdown = (tmp_path / "dq.md").read_text()
    assert "| texts in more than one split (leaks) | 1 |" in markdown
    assert "- test, train: `We use k-means here.`" in markdown


def test_cli_without_the_converted_splits_says_to_convert_first(tmp_path):
    path = write_tsv(tmp_path / "q.tsv", ROWS)
    result = invoke(data_quality_cli, [path, tmp_path / "nothing", tmp_path / "dq.md"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nothing' / 'train.spacy'}:0: converted split not found: run convert first" in result.stderr
    assert not (tmp_path / "dq.md").exists()
