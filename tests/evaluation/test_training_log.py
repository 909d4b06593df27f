"""nerkit/evaluation/training_log.py: the summary and curves of a JSONL
training log."""

import json

from nerkit.evaluation.training_log import plot_training, read_log, training_summary


def test_training_curve_png_from_a_jsonl_log(tmp_path, training_records):
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(record) for record in training_records()))
    records = read_log(log)
    assert records == training_records()
    plot_training(records, tmp_path / "training.png")
    summary = training_summary(records, target=0.9)
    assert (summary["steps"], summary["seconds"], summary["steps_per_second"]) == (200, 20, 10.0)
    assert (summary["best_dev_score"], summary["best_step"]) == (0.95, 200)
    assert (summary["seconds_to_target"], summary["step_to_target"]) == (20, 200)
    assert training_summary(records, target=0.99)["seconds_to_target"] is None
    tie = records + [{**records[-1], "step": 300, "seconds": 30}]
    assert training_summary(tie, target=0.9)["best_step"] == 300  # the later one, as spaCy's model-best
    import matplotlib.image

    assert matplotlib.image.imread(tmp_path / "training.png").shape[:2] == (400, 1500)  # 15 x 4 in at 100 dpi


def test_initialisation_counts_in_the_seconds_to_the_target_only_where_it_was_timed(training_records):
    records = training_records()
    assert training_summary(records, target=0.8)["seconds_to_target_with_init"] is None
    timed = training_summary(records, target=0.8, init_seconds=2.5)
    assert (timed["seconds_to_target"], timed["seconds_to_target_with_init"], timed["init_seconds"]) == (10, 12.5, 2.5)
    assert training_summary(records, target=0.99, init_seconds=2.5)["seconds_to_target_with_init"] is None
