"""nerkit/benchmarks/distinct_words.py: a sequence in which no word repeats,
and collections of its words."""

import json

from nerkit.benchmarks.distinct_words import distinct_word, make_distinct_collection


def test_no_word_repeats_and_every_word_is_seven_letters():
    words = [distinct_word(i) for i in range(200_000)]
    assert len(set(words)) == len(words)
    assert all(len(word) == 7 and word.isalpha() and word.islower() for word in words)


def test_the_collection_holds_the_words_asked_for_and_a_second_one_other_words(tmp_path):
    size = make_distinct_collection(tmp_path / "a.jsonl", words=25, words_per_line=10)
    make_distinct_collection(tmp_path / "b.jsonl", words=25, words_per_line=10, first_word=25)
    assert size == {"words": 25, "words_per_line": 10, "lines": 3}
    lines = {
        name: [json.loads(line)["text"].split() for line in (tmp_path / name).open()] for name in ("a.jsonl", "b.jsonl")
    }
    assert [len(words) for words in lines["a.jsonl"]] == [10, 10, 5]
    first, second = ({w for words in lines[name] for w in words} for name in ("a.jsonl", "b.jsonl"))
    assert len(first) == len(second) == 25 and not first & second
