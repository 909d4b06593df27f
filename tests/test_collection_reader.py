"""scripts/collection_reader.py: the lines of a text collection as records."""

from collection_reader import parse_line


def test_parse_line_keeps_ids_and_uses_line_numbers_without_them(tmp_path):
    path = tmp_path / "x.jsonl"
    assert parse_line(path, 7, b'{"id": "a", "text": "t"}', "text", "id") == ("a", "t")
    assert parse_line(path, 7, b'{"body": "t"}', "body", "id") == (7, "t")
    assert parse_line(tmp_path / "x.txt", 3, b"plain text", "text", "id") == (3, "plain text")
