"""nerkit/benchmarks/serve_versions.py: a version's tree from git or the
working tree, its package found, the pipeline's registered names given that
package's name for a version from before the rename, each version's serve
run from its own tree, and requests/s against the baseline turn by turn."""

import json
from pathlib import Path

from nerkit.benchmarks.serve_versions import (
    WORKING_TREE,
    model_for,
    package_of,
    serve_command,
    speed_summary,
    version_servers,
    version_tree,
)

ROOT = Path(__file__).resolve().parents[2]


def test_a_version_is_the_working_tree_or_the_files_of_a_revision(tmp_path):
    assert version_tree(ROOT, WORKING_TREE, tmp_path) == ROOT
    tree = version_tree(ROOT, "HEAD", tmp_path)
    assert tree == tmp_path / "HEAD" and (tree / "scripts" / "serve.py").is_file()
    assert package_of(tree) == "nerkit" and not (tree / ".git").exists()


def test_a_version_before_the_rename_reads_the_pipeline_under_its_own_names(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    config = '[nlp]\ntokenizer = {"@tokenizers": "nerkit.normalizing_tokenizer.v1"}\n'
    (model / "config.cfg").write_text(config)
    (model / "meta.json").write_text(json.dumps({"name": "x"}))
    old = tmp_path / "old"
    (old / "dlbook").mkdir(parents=True)
    (old / "dlbook" / "pipeline_functions.py").write_text("")
    copy = model_for(model, old, tmp_path / "work")
    assert '"dlbook.normalizing_tokenizer.v1"' in (copy / "config.cfg").read_text()
    assert (copy / "meta.json").is_file() and (model / "config.cfg").read_text() == config
    assert model_for(model, ROOT, tmp_path / "work") == model


def test_each_version_runs_its_own_serve_with_its_own_code(tmp_path):
    run = serve_command(tmp_path, Path("scripts/serve.py"), Path("/m"))
    assert run["command"][1:] == [tmp_path / "scripts/serve.py", Path("/m")]
    assert run["env"]["PYTHONPATH"] == str(tmp_path)


def test_the_servers_of_the_versions_each_run_from_their_tree(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    servers = version_servers(ROOT, Path("scripts/serve.py"), {"here": ".", "head": "HEAD"}, model, tmp_path / "w")
    assert servers["here"]["command"][1] == ROOT / "scripts/serve.py"
    assert servers["head"]["command"][1] == tmp_path / "w" / "HEAD" / "scripts/serve.py"
    assert servers["head"]["command"][2] == model.resolve()


def turn(rate, p99=10.0):
    return {
        "one_sentence": {"requests_per_second": rate, "latency_ms": {"p99": p99}, "errors": {"503": 1}},
        "beside_big_requests": {"small": {"latency_ms": {"p99": 3 * p99}}},
    }


def test_requests_per_second_are_set_against_the_baseline_turn_by_turn():
    baseline = [turn(100.0), turn(200.0)]
    figures = speed_summary([turn(150.0, 20.0), turn(200.0, 40.0)], baseline)
    assert figures["ratio_to_baseline_by_turn"] == [1.5, 1.0]
    assert figures["one_sentence_requests_per_second"] == 175.0
    assert (figures["one_sentence_p99_ms"], figures["beside_big_requests_p99_ms"]) == (30.0, 90.0)
    assert figures["one_sentence_errors"] == 2
