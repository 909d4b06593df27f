"""scripts/benchmark_cpu_configs.py end to end on a tiny corpus: two
configs trained a few steps, scored on every check, timed in turns."""

import json
import sys

import pytest
from spacy.util import load_config

pytestmark = pytest.mark.slow


def test_script_trains_scores_and_times_each_config(tiny_corpus, tmp_path, project_root, run, script):
    output = tmp_path / "configs.json"
    run(
        [
            sys.executable,
            script("benchmark_cpu_configs"),
            project_root / "configs" / "sm.cfg",
            tiny_corpus,
            output,
            "--work-dir",
            tmp_path / "work",
            "--config",
            "before:nlp.after_pipeline_creation=null,training.max_steps=6,training.eval_frequency=3",
            "--config",
            "narrow:components.tok2vec.model.encode.width=32,training.max_steps=6,training.eval_frequency=3",
            "--sentences",
            f"user_sentences={project_root / 'corpus' / 'eval' / 'user_sentences.jsonl'}",
            "--target-dev-score",
            "0.995",
            "--batch-sizes",
            "8,32",
            "--rounds",
            "1",
        ]
    )
    result = json.loads(output.read_text())
    assert result["baseline"] == "before" and list(result["configs"]) == ["before", "narrow"]
    assert result["speed_settings"]["batch_sizes"] == [8, 32] and result["speed_settings"]["blas_threads"] == 1
    narrow = result["configs"]["narrow"]
    assert narrow["overrides"]["components.tok2vec.model.encode.width"] == "32"
    assert [point["step"] for point in narrow["dev_curve"]] == [0, 3, 6]
    assert set(narrow["raw_text_tp_fp_fn"]) == {
        "as_converted",
        "sentence_case",
        "title_case",
        "upper_case",
        "nfkc",
        "pdf_ligatures",
        "pdf_web",
        "user_sentences",
    }
    assert set(narrow["speed"]) == {"8", "32"} and narrow["speed"]["8"]["words_per_second"] > 0
    assert result["configs"]["before"]["speed"]["8"]["ratio_to_baseline"] == 1.0
    assert result["tokenizer_speed"]["words_per_second"] > narrow["speed"]["8"]["words_per_second"]
    trained = load_config(tmp_path / "work" / "narrow" / "model-best" / "config.cfg")
    assert trained["components"]["tok2vec"]["model"]["encode"]["width"] == 32
    table = output.with_suffix(".md").read_text()
    assert "| narrow |" in table
    assert result["dev_choice"]["config"] in ("before", "narrow") and "Chosen on the dev split" in table
