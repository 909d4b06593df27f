"""scripts/benchmark_trf.py, the one-run GPU benchmark, on the CPU with
tiny settings (CI has no GPU)."""

import json
import sys

import pytest
import spacy
from spacy.tokens import DocBin

pytestmark = pytest.mark.slow


def test_gpu_benchmark_script_runs_on_the_cpu_with_tiny_settings(tmp_path, project_root, run, script, tiny_corpus):
    """The one-run GPU benchmark end to end on the CPU, on converted
    DocBins: two configs trained 4 steps, evaluation, inference by batch
    size and by number of processes."""
    output = tmp_path / "benchmark.json"
    run(
        [
            sys.executable,
            script("benchmark_trf"),
            project_root / "configs" / "trf.cfg",
            tiny_corpus,
            output,
            "--target-dev-score",
            "0.995",
            "--gpu-id",
            "-1",
            "--work-dir",
            tmp_path / "work",
            "--max-steps",
            "4",
            "--eval-frequency",
            "2",
            "--config",
            "base:",
            "--config",
            "small_batches:training.batcher.size=500",
            "--batch-sizes",
            "4,8",
            "--processes",
            "1,2",
            "--speed-batches",
            "2",
            "--repeats",
            "1",
        ]
    )
    result = json.loads(output.read_text())
    assert result["device"].startswith("CPU") and result["versions"]["spacy-transformers"] == "1.4.0"
    assert list(result["configs"]) == ["base", "small_batches"]
    assert result["configs"]["small_batches"]["overrides"] == {"training.batcher.size": "500"}
    for config in result["configs"].values():
        training = config["training"]
        assert [point["step"] for point in training["dev_curve"]] == [0, 2, 4]
        assert 0 < training["init_seconds"] < training["total_seconds"] and training["target_dev_score"] == 0.995
        for model in ("model_best", "model_last"):
            assert set(config[model]["raw_text"]) >= {"as_converted", "upper_case", "pdf_ligatures"}
            assert set(config[model]["gold_tokens"]) == {"ents_p", "ents_r", "ents_f", "per_label"}
    nlp = spacy.load(tmp_path / "work" / "base" / "model-best")
    test_docs = DocBin().from_disk(tiny_corpus / "test.spacy").get_docs(nlp.vocab)
    test_words = sum(len(nlp.make_doc(doc.text)) for doc in test_docs)
    inference = result["inference"]
    assert [r["batch_size"] for r in inference["by_batch_size"]] == [4, 8]
    # each process annotates every test text once (repeats 1), with the pipeline's tokenizer
    by_processes = inference["by_processes"]
    assert [r["processes"] for r in by_processes] == [1, 2]
    assert (by_processes[0]["words"], by_processes[1]["words"]) == (test_words, 2 * test_words)
    assert inference["peak_gpu_memory_mb"] is None
