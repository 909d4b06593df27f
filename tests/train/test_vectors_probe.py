"""nerkit/train/vectors_probe.py: vectors a user brings kept only where
their best dev score after a short training is ahead by the margin; the
plan and config of the choice, the probe's scores in the plan's reasons."""

import srsly
from thinc.api import Config

import nerkit.train.vectors_probe as vectors_probe
from nerkit.train.vectors import vectors_folder
from nerkit.train.vectors_probe import ProbeResult, fit_config_probing_vectors


def test_vectors_are_kept_from_the_margin_on():
    assert ProbeResult(0.52, 0.50, 800, 0.01).keep_vectors
    assert ProbeResult(0.51, 0.50, 800, 0.01).keep_vectors
    assert not ProbeResult(0.505, 0.50, 800, 0.01).keep_vectors
    assert not ProbeResult(0.40, 0.50, 800, 0.01).keep_vectors
    assert ProbeResult(0.40, 0.50, 800, 0.01).reason == (
        "best dev score in 800 steps 0.400 with the vectors, 0.500 without (kept from +0.010): left out"
    )


def probe_rules(tmp_path, project_root, steps):
    rules = srsly.read_yaml(project_root / "configs" / "plan.yml")
    rules["vectors_probe"] = {"steps": steps, "eval_frequency": 2, "min_dev_gain": 0.01}
    srsly.write_yaml(tmp_path / "plan.yml", rules)
    return tmp_path / "plan.yml"


def fit(tmp_path, project_root, tiny_corpus, vectors, dev=True, steps=4, max_steps=0):
    return fit_config_probing_vectors(
        project_root / "configs" / "sm.cfg",
        tiny_corpus / "train.spacy",
        probe_rules(tmp_path, project_root, steps=steps),
        vectors,
        max_steps,
        tiny_corpus / "dev.spacy" if dev else None,
    )


def test_a_real_probe_trains_both_and_the_config_follows_its_verdict(
    tmp_path, project_root, tiny_corpus, book_corpus, write_vec
):
    words = sorted({line.split("\t")[0] for line in book_corpus.read_text(encoding="utf8").splitlines()[:6000]})
    folder = str(vectors_folder(write_vec(tmp_path / "book.vec", words), tmp_path / "vectors"))
    plan, text, probe = fit(tmp_path, project_root, tiny_corpus, folder)
    assert probe is not None and 0.0 <= probe.with_vectors <= 1.0 and 0.0 <= probe.without_vectors <= 1.0
    (choice,) = [c for c in plan.choices if c.setting == "static_vectors"]
    assert choice.applied == probe.keep_vectors and choice.reason == f"vectors: {folder}; {probe.reason}"
    config = Config().from_str(text, interpolate=False)
    assert (config["paths"]["vectors"] == folder) == probe.keep_vectors
    assert config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] == probe.keep_vectors
    # without vectors, or without a dev split, nothing is probed
    assert fit(tmp_path, project_root, tiny_corpus, None)[2] is None
    assert fit(tmp_path, project_root, tiny_corpus, folder, dev=False)[2] is None


def test_the_config_without_vectors_is_written_where_they_lose_on_dev(tmp_path, project_root, tiny_corpus, monkeypatch):
    # the scores a probe would give, by whether the config reads vectors
    monkeypatch.setattr(
        vectors_probe, "best_dev_score", lambda text, *args: 0.90 if "include_static_vectors = true" in text else 0.95
    )
    plan, text, probe = fit(tmp_path, project_root, tiny_corpus, "training/vectors/any")
    assert (probe.with_vectors, probe.without_vectors, probe.keep_vectors) == (0.90, 0.95, False)
    assert "paths.vectors" not in plan.overrides and "include_static_vectors = true" not in text
    monkeypatch.setattr(
        vectors_probe, "best_dev_score", lambda text, *args: 0.97 if "include_static_vectors = true" in text else 0.95
    )
    plan, text, probe = fit(tmp_path, project_root, tiny_corpus, "training/vectors/any")
    assert probe.keep_vectors and plan.overrides["paths.vectors"] == "training/vectors/any"
    assert "include_static_vectors = true" in text


def test_the_probe_is_never_longer_than_the_training_it_is_for(tmp_path, project_root, tiny_corpus, monkeypatch):
    steps = []
    monkeypatch.setattr(
        vectors_probe,
        "best_dev_score",
        lambda text, train, dev, settings, *args: steps.append(settings["steps"]) or 0.5,
    )
    assert fit(tmp_path, project_root, tiny_corpus, "v", steps=800, max_steps=300)[2].steps == 300
    assert fit(tmp_path, project_root, tiny_corpus, "v", steps=800)[2].steps == 800
    assert steps == [300, 300, 800, 800]
