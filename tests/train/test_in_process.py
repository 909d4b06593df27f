"""nerkit/train/in_process.py: a config trained in this process with named
overrides, its initialisation timed apart."""

import pytest

from nerkit.evaluation.training_log import read_log
from nerkit.train.in_process import train_config


@pytest.mark.slow
def test_a_config_trains_with_its_overrides_and_reports_the_log_it_wrote(tiny_corpus, project_root, tmp_path):
    output = tmp_path / "narrow"
    overrides = {
        "paths.train": str(tiny_corpus / "train.spacy"),
        "paths.dev": str(tiny_corpus / "dev.spacy"),
        "paths.log": str(output / "log.jsonl"),
        "components.tok2vec.model.encode.width": "32",
        "training.max_steps": "6",
        "training.eval_frequency": "3",
    }
    summary = train_config(project_root / "configs" / "sm.cfg", output, overrides, gpu_id=-1, target=2.0)
    log = read_log(output / "log.jsonl")
    assert [point["step"] for point in summary["dev_curve"]] == [record["step"] for record in log] == [0, 3, 6]
    assert summary["dev_curve"][-1]["score"] == log[-1]["score"]
    # a target no score reaches is never reached; the initialisation is timed apart from the loop
    assert summary["seconds_to_target_with_init"] is None
    assert 0 < summary["init_seconds"] < summary["total_seconds"]
    assert summary["peak_gpu_memory_mb"] is None
    assert (output / "model-best" / "config.cfg").is_file()
