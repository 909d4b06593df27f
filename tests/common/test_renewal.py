"""nerkit/common/renewal.py: inside memory zones the vocabulary keeps no
strings but its hash table grows; the pipeline is loaded anew once the table
passes its bound, and only then."""

import spacy

from nerkit.common.renewal import RenewingPipeline, string_table_cells, warm_for_memory_zones


def annotate_new_words(nlp, start, count):
    with nlp.memory_zone():
        for i in range(start, start + count, 100):
            nlp(" ".join(f"w{j}x" for j in range(i, i + 100)))


def test_the_table_grows_inside_memory_zones_though_the_strings_do_not():
    nlp = spacy.blank("en")
    strings, cells = len(nlp.vocab.strings), string_table_cells(nlp)
    for zone in range(5):
        annotate_new_words(nlp, zone * 5_000, 5_000)
    assert len(nlp.vocab.strings) == strings
    assert string_table_cells(nlp) > 2 * cells  # what the renewal is for


def test_the_pipeline_is_loaded_anew_once_its_table_passes_the_bound():
    loads = []

    def load():
        loads.append(spacy.blank("en"))
        return loads[-1]

    pipeline = RenewingPipeline(load, max_cells=string_table_cells(spacy.blank("en")) * 2)
    first = pipeline.nlp
    assert not pipeline.renew_if_grown() and pipeline.nlp is first
    start = 0
    while string_table_cells(pipeline.nlp) <= pipeline.max_cells:
        annotate_new_words(pipeline.nlp, start, 10_000)
        start += 10_000
    assert pipeline.renew_if_grown()
    assert pipeline.nlp is loads[-1] and pipeline.nlp is not first and pipeline.renewals == 1
    assert string_table_cells(pipeline.nlp) <= pipeline.max_cells


def test_warming_makes_the_known_words_permanent_and_cached_for_memory_zones():
    nlp = spacy.blank("en")
    nlp.vocab.strings.add("gradient")
    assert "gradient" not in nlp.vocab  # a string, not yet a lexeme
    warm_for_memory_zones(nlp)
    assert "gradient" in nlp.vocab
    with nlp.memory_zone():
        nlp("gradient")
    assert "gradient" in nlp.vocab  # kept: made outside the zone


def test_warming_grows_the_tokenizer_cache_to_hold_every_known_string():
    nlp = spacy.blank("en")
    for i in range(12_000):
        nlp.vocab.strings.add(f"word{i}")
    default = nlp.tokenizer.max_cache_size
    warm_for_memory_zones(nlp)
    assert nlp.tokenizer.max_cache_size >= 12_000 > default
    assert "word11999" in nlp.vocab
