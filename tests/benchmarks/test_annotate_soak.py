"""dlbook/benchmarks/annotate_soak.py: a collection in which no word repeats,
and each worker's memory growth read from annotate's memory trace."""

import json

from dlbook.benchmarks.annotate_soak import distinct_word, make_distinct_collection, memory_growth


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


def test_growth_is_measured_from_the_first_shard_past_the_given_words():
    trace = [
        {"worker": "w1", "words": 500, "rss_mb": 300.0, "strings": 900},
        {"worker": "w1", "words": 1000, "rss_mb": 340.0, "strings": 1000},
        {"worker": "w1", "words": 1500, "rss_mb": 352.5, "strings": 1040},
        {"worker": "w1", "words": 2000, "rss_mb": 345.0, "strings": 1010},
        {"worker": "w2", "words": 600, "rss_mb": 310.0, "strings": 950},
    ]
    growth = memory_growth(trace, after_words=1000)
    assert growth["w1"]["past"] == {"words": 1000, "rss_mb": 340.0, "strings": 1000}
    assert growth["w1"]["rss_mb_growth_after"] == 12.5 and growth["w1"]["strings_growth_after"] == 40
    assert growth["w1"]["strings_last"] == 1010
    # a worker that never got past the first words has no growth to report
    assert growth["w2"] == {"words": 600, "past": None}
