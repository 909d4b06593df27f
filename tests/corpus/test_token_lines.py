"""nerkit/corpus/token_lines.py: the token lines of a file with their
labels and line numbers, blank and -DOCSTART- lines as breaks, whitespace
stripped and textless outside lines skipped."""

from nerkit.corpus.token_lines import read_columns


def test_tokens_labels_lines_and_breaks_are_read_as_written(tmp_path):
    path = tmp_path / "c.conll"
    path.write_text("-DOCSTART- O\n\nEU B-ORG\nrejects O\n\nPeter B-PER\n-DOCSTART- O\nParis B-LOC\n", encoding="utf8")
    stream = read_columns(path)
    assert stream.tokens == ["EU", "rejects", "Peter", "Paris"]
    assert stream.labels == ["B-ORG", "O", "B-PER", "B-LOC"]
    assert stream.lines == [3, 4, 6, 8]
    assert stream.sentence_breaks == {2, 3} and stream.document_breaks == {3}


def test_whitespace_around_tokens_is_stripped_and_textless_outside_lines_are_skipped(tmp_path):
    # as the Broad Twitter Corpus's CoNLL export writes them
    path = tmp_path / "tweets.conll"
    path.write_text("Love\tO\n\U0001f618 \tO\nParis \tB-LOC\n \tO\n\tO\nke s\tO\n!\tO\n", encoding="utf8")
    stream = read_columns(path)
    assert stream.tokens == ["Love", "\U0001f618", "Paris", "!"]
    assert stream.stripped_tokens == 2 and stream.skipped_lines == [4, 5, 6]
