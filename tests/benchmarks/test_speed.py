"""nerkit/benchmarks/speed.py: words/s of nlp.pipe as spaCy's benchmark
measures it, on a pipeline whose cost is set on a fake clock; the benchmark
of a pipeline folder."""

import pytest
import spacy
import spacy.cli.benchmark_speed
from spacy.language import Language
from spacy.tokens import DocBin

from nerkit.benchmarks.speed import benchmark_speed, measure

CLOCK = []  # the fake clock of the running test


@Language.component("five_ms_per_doc")
def five_ms_per_doc(doc):
    CLOCK[-1].advance(0.005)
    return doc


def test_words_per_second_of_a_pipeline_with_a_known_cost(fake_clock, monkeypatch):
    """5 ms a document of 10 words on the clock spaCy's benchmark reads:
    exactly 2,000 words/s in every batch."""
    CLOCK.append(fake_clock)
    monkeypatch.setattr(spacy.cli.benchmark_speed, "time", fake_clock)
    nlp = spacy.blank("en")
    nlp.add_pipe("five_ms_per_doc")
    docs = [nlp.make_doc("one two three four five six seven eight nine ten") for _ in range(40)]
    result = measure(nlp, docs, batch_size=8, n_batches=10, warmup_epochs=1)
    assert result == pytest.approx(
        {
            "batch_size": 8,
            "words_per_second": 2000.0,
            "ci95_low": 2000.0,
            "ci95_high": 2000.0,
            "batches": 10,
        }
    )


def test_the_benchmark_of_a_pipeline_folder_names_the_machine_and_each_batch_size(tmp_path, sample_doc):
    nlp = spacy.blank("en")
    nlp.to_disk(tmp_path / "model")
    DocBin(docs=[sample_doc(nlp)] * 4).to_disk(tmp_path / "test.spacy")
    summary = benchmark_speed(str(tmp_path / "model"), tmp_path / "test.spacy", [2, 4], 3, 1, -1)
    assert [r["batch_size"] for r in summary["results"]] == [2, 4] and summary["words_in_texts"] == 32
    assert summary["machine"].startswith("CPU ") and summary["peak_gpu_memory_mb"] is None
    assert all(r["ci95_low"] <= r["words_per_second"] <= r["ci95_high"] for r in summary["results"])
