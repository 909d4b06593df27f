"""dlbook/benchmarks/corpora.py: spaCy's stock config as `spacy init config`
writes it (the logger aside), the comparison against it and its table, and
a short run on a small split corpus: converted, planned, each config trained
once per seed on the Dask cluster, scored per label and timed."""

import json

import numpy
import pytest
import typer
from spacy.cli.init_config import init_config
from spacy.util import load_config

from dlbook.benchmarks.corpora import benchmark_corpora, compare, markdown_table, parse_corpora, stock_config
from dlbook.evaluation.bootstrap import f_scores
from dlbook.train.vectors import vectors_folder

NAMES = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
TOWNS = ["Paris", "Oslo", "Lima", "Rome", "Kyiv", "Bern", "Doha", "Riga", "Baku", "Apia"]


def write_conll(path, sentences):
    lines = []
    for i in range(sentences):
        name, town = NAMES[i % len(NAMES)], TOWNS[(i * 3) % len(TOWNS)]
        lines += ["-DOCSTART- O", ""]  # a document a sentence: dev carved from 12 blocks of 10
        lines += [f"{name} B-PER", "visited O", f"{town} B-LOC", "today O", ". O", ""]
    path.write_text("\n".join(lines), encoding="utf8")


def config_result(f, seconds, words_per_second):
    return {
        "gold_f": {"mean": f, "sd": 0.0},
        "raw_f": {"mean": f, "sd": 0.0},
        "gold_f_per_label": {"PER": f},
        "training_seconds": {"mean": seconds},
        "words_per_second": {"words_per_second": words_per_second},
    }


def test_a_variant_may_not_take_the_name_of_a_config_of_the_benchmark(tmp_path, project_root):
    with pytest.raises(typer.BadParameter, match="plan"):
        benchmark_corpora(
            {},
            project_root / "configs" / "sm.cfg",
            project_root / "configs" / "plan.yml",
            tmp_path,
            seeds=[0],
            workers=1,
            max_steps=4,
            speed_batch_size=8,
            speed_rounds=1,
            variants={"plan": {}},
        )


def test_corpora_are_parsed_and_a_missing_folder_is_refused(tmp_path):
    assert parse_corpora(f"a={tmp_path},") == {"a": tmp_path}
    with pytest.raises(typer.BadParameter, match="expected NAME=FOLDER"):
        parse_corpora(f"b={tmp_path / 'missing'}")


def test_the_stock_config_is_spacys_but_for_its_logger():
    stock = stock_config()
    spacy_own = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    assert stock["training"]["logger"]["@loggers"] == "dlbook.jsonl_logger.v1"
    assert spacy_own["training"]["logger"]["@loggers"].startswith("spacy.ConsoleLogger")
    for config in (stock, spacy_own):
        del config["training"]["logger"]
        config["paths"].pop("log", None)
    assert stock.to_str() == spacy_own.to_str()


def test_a_config_meets_the_target_only_with_the_points_and_the_speed():
    stock = config_result(0.50, 100, 10_000)
    assert compare(config_result(0.53, 90, 6_000), stock, 2.0, 0.5)["meets_target"] is True
    assert compare(config_result(0.51, 90, 6_000), stock, 2.0, 0.5)["meets_target"] is False  # 1 point
    slow = compare(config_result(0.60, 90, 4_000), stock, 2.0, 0.5)
    assert slow["meets_target"] is False and slow["words_per_second_ratio"] == pytest.approx(0.4)
    assert slow["gold_f_points"] == pytest.approx(10.0)


def test_the_table_has_a_row_per_corpus_and_config_with_the_gap_to_stock():
    stock, plan = config_result(0.50, 100, 10_000), config_result(0.53, 90, 6_000)
    summary = {"corpora": {"tweets": {"configs": {"stock": stock, "plan": plan}, "against_stock": {}}}}
    summary["corpora"]["tweets"]["against_stock"]["plan"] = compare(plan, stock, 2.0, 0.5)
    rows = markdown_table(summary).splitlines()
    assert len(rows) == 4
    assert rows[2].startswith("| tweets | stock | 0.500 ± 0.000 |") and rows[2].endswith("|  |")
    assert "| +3.0 / +3.0 points, × 0.60 words/s |" in rows[3] and "| PER 0.530 |" in rows[3]


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
        seeds=[0, 1],
        workers=1,
        max_steps=4,
        speed_batch_size=8,
        speed_rounds=1,
        vectors=vectors,
        variants={"narrow": {"components.tok2vec.model.encode.width": "32"}},
    )
    json.dumps(summary)  # the figures are JSON as they are
    result = summary["corpora"]["people"]
    assert result["sizes"]["dev"]["docs"] > 0
    assert {c["setting"] for c in result["plan"]["choices"] if c["applied"]} >= {"general_network", "converge"}
    assert list(result["configs"]) == ["stock", "plan", "plan_vectors", "narrow"]
    assert set(result["against_stock"]) == {"plan", "plan_vectors", "narrow"}
    assert summary["settings"]["variants"] == {"narrow": {"components.tok2vec.model.encode.width": "32"}}
    # a variant is the plan's config with its overrides
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
