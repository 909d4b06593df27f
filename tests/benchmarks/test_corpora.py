"""nerkit/benchmarks/corpora.py: spaCy's stock config as `spacy init config`
writes it (the logger aside), config names the benchmark keeps, and
a short run on a small split corpus: converted, planned, each config trained
once per seed on the Dask cluster, scored per label and timed."""

import json

import numpy
import pytest
from spacy.cli.init_config import init_config
from spacy.util import load_config

from nerkit.benchmarks.corpora import CorporaSettings, benchmark_corpora, stock_config
from nerkit.errors import OptionError
from nerkit.evaluation.bootstrap import f_scores
from nerkit.train.vectors import vectors_folder

NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
TOWNS = ["Paris", "Oslo", "Lima", "Rome", "Kyiv", "Bern", "Doha", "Riga", "Baku", "Apia"]


def write_conll(path, sentences):
    lines = []
    for i in range(sentences):
        name, town = NAMES[i % len(NAMES)], TOWNS[(i * 3) % len(TOWNS)]
        lines += ["-DOCSTART- O", ""]  # a document a sentence: dev carved from 12 blocks of 10
        lines += [f"{name} B-PER", "visited O", f"{town} B-LOC", "today O", ". O", ""]
    path.write_text("\n".join(lines), encoding="utf8")


def test_a_config_may_not_take_the_name_of_a_config_of_the_benchmark():
    with pytest.raises(OptionError, match="plan"):
        CorporaSettings(seeds=(0,), workers=1, max_steps=4, configs={"plan": {}})


def test_the_stock_config_is_spacys_but_for_its_logger():
    stock = stock_config()
    spacy_own = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    assert stock["training"]["logger"]["@loggers"] == "nerkit.jsonl_logger.v1"
    assert spacy_own["training"]["logger"]["@loggers"].startswith("spacy.ConsoleLogger")
    for config in (stock, spacy_own):
        del config["training"]["logger"]
        config["paths"].pop("log", None)
    assert stock.to_str() == spacy_own.to_str()


@pytest.mark.slow
def test_a_short_run_trains_scores_and_times_every_config_with_each_seed(tmp_path, project_root, write_vec):
    corpus = tmp_path / "people"
    corpus.mkdir()
    write_conll(corpus / "train.conll", 120)  # no dev file: dev is carved from train
    write_conll(corpus / "test.conll", 10)
    words = [w.lower() for w in NAMES + TOWNS] + ["visited", "today"]
    vectors = vectors_folder(write_vec(tmp_path / "small.vec", words), tmp_path / "vectors")
    work = tmp_path / "work"
    summary = benchmark_corpora(
        {"people": corpus},
        project_root / "configs" / "sm.cfg",
        project_root / "configs" / "plan.yml",
        work,
        CorporaSettings(
            seeds=(0, 1),
            workers=1,
            max_steps=4,
            speed_batch_size=8,
            speed_rounds=1,
            vectors=vectors,
            configs={"narrow": {"components.tok2vec.model.encode.width": "32"}},
        ),
    )
    json.dumps(summary)  # the figures are JSON as they are
    result = summary["corpora"]["people"]
    assert result["sizes"]["dev"]["docs"] > 0
    assert {c["setting"] for c in result["plan"]["choices"] if c["applied"]} >= {"general_network", "converge"}
    assert list(result["configs"]) == ["stock", "plan", "plan_vectors", "narrow"]
    assert set(result["against_stock"]) == {"plan", "plan_vectors", "narrow"}
    assert summary["settings"]["configs"] == {"narrow": {"components.tok2vec.model.encode.width": "32"}}
    # a config of named overrides is the plan's config with them
    narrow = load_config(work / "people" / "narrow-seed0" / "model-best" / "config.cfg", interpolate=False)
    assert narrow["components"]["tok2vec"]["model"]["encode"]["width"] == 32
    assert narrow["components"]["tok2vec"]["model"]["encode"]["depth"] == 4  # the plan's larger network
    for config in result["configs"].values():
        assert [run["seed"] for run in config["runs"]] == [0, 1]
        assert all(run["training"]["total_seconds"] > run["training"]["init_seconds"] for run in config["runs"])
        assert 0.0 <= config["gold_f"]["mean"] <= 1.0 and config["words_per_second"]["words_per_second"] > 0
    # each run's per-document counts add up to spaCy's scores: the bootstrap
    # resamples the figures the table shows
    for config in result["configs"].values():
        for run in config["runs"]:
            gold_counts = numpy.asarray(run["documents"]["gold_tokens"]).sum(axis=0)
            assert float(f_scores(gold_counts)) == pytest.approx(run["gold_tokens"]["ents_f"])
            raw_counts = numpy.asarray(run["documents"]["raw_text"]).sum(axis=0)
            assert float(f_scores(raw_counts)) == pytest.approx(run["raw_text"]["f"])
            assert len(run["documents"]["gold_tokens"]) == result["sizes"]["test"]["docs"]
    for versus in result["against_stock"].values():
        interval = versus["bootstrap"]["gold_tokens"]
        assert interval["points"] == pytest.approx(versus["gold_f_points"])
        assert interval["ci95_low"] <= interval["ci95_high"]
    # the vectors probe ran as `plan` runs it, and its verdict is the choice
    probe = result["vectors_probe"]
    assert probe["steps"] == 4 and 0.0 <= probe["with_vectors"] <= 1.0 and 0.0 <= probe["without_vectors"] <= 1.0
    assert result["chosen"] == ("plan_vectors" if probe["keep_vectors"] else "plan")
    assert (work / "people" / "probe-plan_vectors.log").exists()
    planned = load_config(work / "people" / "plan_vectors.cfg", interpolate=False)
    assert planned["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] is True
    assert planned["paths"]["vectors"] == str(vectors.resolve())
    assert (work / "people" / "stock-seed1" / "model-best" / "meta.json").exists()
