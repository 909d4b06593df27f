"""nerkit/benchmarks/trf.py: several processes sharing the device, each
loading the pipeline and annotating the texts (on the CPU here)."""

import pytest
import spacy

from nerkit.benchmarks.trf import measure_processes

pytestmark = pytest.mark.slow


def test_each_process_annotates_every_text_and_the_words_are_summed(tmp_path, hyphen_nlp):
    hyphen_nlp().to_disk(tmp_path / "model")
    texts = ["a k-means model", "two words"] * 5
    result = measure_processes(tmp_path / "model", texts, batch_size=4, gpu_id=-1, n_processes=2, repeats=3)
    assert (result["processes"], result["batch_size"], result["words"]) == (2, 4, 2 * 3 * 25)
    assert result["words_per_second"] == result["words"] / result["seconds"] and result["seconds"] > 0
    assert spacy.load(tmp_path / "model").tokenizer("k-means")[0].text == "k-means"
