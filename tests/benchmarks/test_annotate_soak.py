"""nerkit/benchmarks/annotate_soak.py: the zone/no-zone pairs on a small
rule-based pipeline folder over words seen once: with annotate's memory zone
the vocabulary stays as it was, without it every word stays."""

import pytest

from nerkit.benchmarks.annotate_soak import zone_arm, zone_pairs
from nerkit.benchmarks.distinct_words import distinct_word


@pytest.fixture(scope="module")
def ruler_folder(tmp_path_factory, normalizing_nlp):
    nlp = normalizing_nlp()
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "TERM", "pattern": "model"}])
    path = tmp_path_factory.mktemp("ruler") / "model"
    nlp.to_disk(path)
    return str(path)


def shards(first: int, n_shards: int = 4, texts: int = 10, words: int = 20):
    """Shards of texts of distinct words, each text ending in an entity."""
    index = iter(range(first, first + n_shards * texts * words))
    return [
        [" ".join(distinct_word(next(index)) for _ in range(words)) + " model" for _ in range(texts)]
        for _ in range(n_shards)
    ]


def test_the_zone_keeps_the_vocabulary_flat_and_without_it_every_word_stays(ruler_folder):
    with_zone = zone_arm(ruler_folder, shards(0), with_zone=True)
    without = zone_arm(ruler_folder, shards(10_000), with_zone=False)
    assert with_zone["strings_growth"] == 0
    assert without["strings_growth"] >= 3 * 10 * 20  # the words of the shards after the first
    assert with_zone["words_per_second"] > 0 and without["words_per_second"] > 0


def test_pairs_take_the_ratio_of_the_arms_in_turns(ruler_folder):
    (pair,) = zone_pairs(ruler_folder, shards(20_000), rounds=1)
    assert pair["ratio"] == pytest.approx(
        pair["memory_zone"]["words_per_second"] / pair["no_memory_zone"]["words_per_second"]
    )
