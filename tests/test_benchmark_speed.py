import os
import time

import spacy
from spacy.language import Language

from benchmark_speed import describe_machine, measure


@Language.component("sleep_per_doc")
def sleep_per_doc(doc):
    time.sleep(0.005)
    return doc


def test_words_per_second_of_a_pipeline_with_a_known_cost():
    """5 ms a document of 10 words: at most 2,000 words/s, and not much less
    (the tokenizer's time is small)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sleep_per_doc")
    docs = [nlp.make_doc("one two three four five six seven eight nine ten") for _ in range(40)]
    result = measure(nlp, docs, batch_size=8, n_batches=10, warmup_epochs=1)
    assert result["batches"] == 10 and result["batch_size"] == 8
    assert 1_400 < result["words_per_second"] <= 2_000
    assert result["ci95_low"] <= result["words_per_second"] <= result["ci95_high"]


def test_machine_description_names_the_cpu_and_its_cores():
    description = describe_machine(-1)
    assert description.startswith("CPU ") and description.endswith(f", {os.cpu_count()} cores")
