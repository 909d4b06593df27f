"""The project's training choice against spaCy's stock config on public
corpora (`spacy project run benchmark-corpora`). Each corpus is converted as
`convert` does and planned as `plan` does (configs/plan.yml); spaCy's stock
efficiency config (`spacy init config -p ner -o efficiency`, unchanged but
for its logger, which only logs) trains on the same DocBins. Every
(corpus, config, seed) is one training in a one-thread Dask worker process;
with static vectors given, the plan's config with them is a third. Each
is scored on the test split on gold tokens (`spacy evaluate
--gold-preproc`) and on its raw text, per label. Variants of the plan's
config (`--variant NAME:section.key=value,...`, spaCy's config overrides)
train beside them, to measure the plan's choices against the alternatives.
With vectors, the plan's vectors probe (configs/plan.yml) runs on each
corpus as `plan` runs it, and the config it keeps is the corpus's choice.
The model-best pipelines
(what `spacy package` ships) are then timed in turns in this process, one
BLAS thread, so that the words/s ratio between the two configs does not move
with the machine's speed. Each difference against stock comes with a 95%
interval from a paired bootstrap over the test documents."""

import contextlib
import statistics
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import typer
from distributed import Client
from spacy.cli.init_config import init_config
from spacy.tokens import DocBin
from thinc.api import Config
from threadpoolctl import threadpool_limits

from dlbook.benchmarks.cpu_configs import pipe_words, time_in_turns
from dlbook.common.atomic_files import write_atomic
from dlbook.common.cluster import local_cluster
from dlbook.common.loading import load_pipeline
from dlbook.common.machine import describe_machine
from dlbook.corpus.docbins import write_splits
from dlbook.corpus.reader import ReadOptions, read_corpus
from dlbook.corpus.repairs import FragmentEntities
from dlbook.corpus.summary import corpus_sizes
from dlbook.evaluation.bootstrap import SAMPLES, paired_bootstrap
from dlbook.evaluation.pipeline_scores import evaluate_pipeline
from dlbook.train.plan import fit_config, plan_summary
from dlbook.train.variants import train_variant
from dlbook.train.vectors_probe import ProbeResult, best_dev_score, probe_settings

STOCK_COMMAND = "spacy init config -p ner -l en -o efficiency"
CONFIGS = ("stock", "plan")
VECTORS_CONFIG = "plan_vectors"


def parse_corpora(value: str) -> Dict[str, Path]:
    """`NAME=FOLDER,...` as {name: folder}; a bad one is a usage error."""
    corpora = {}
    for item in filter(None, value.split(",")):
        name, sep, folder = item.partition("=")
        if not sep or not Path(folder).is_dir():
            raise typer.BadParameter(f"expected NAME=FOLDER with an existing corpus folder, got {item!r}")
        corpora[name] = Path(folder)
    return corpora


def stock_config() -> Config:
    """spaCy's defaults for an ner on the CPU, as STOCK_COMMAND writes them;
    its console logger is replaced by the project's JSONL logger (the same
    console table, plus each evaluation's seconds) so that both configs are
    timed alike."""
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    config["paths"]["log"] = None
    config["training"]["logger"] = {"@loggers": "dlbook.jsonl_logger.v1", "path": "${paths.log}", "progress_bar": None}
    return config


def prepare_corpus(
    source: Path, work_dir: Path, config_path: Path, rules_path: Path, max_steps: int, vectors: Optional[Path]
) -> Dict:
    """The corpus converted into work_dir/corpus, the plan's config (and
    with `vectors` the plan's config using them) and the stock config
    beside it (`max_steps` > 0 caps them all); its sizes and plan."""
    docs, _ = read_corpus(source, ReadOptions(fragment_entities=FragmentEntities.drop))
    write_splits(docs, work_dir / "corpus")
    plan, plan_text = fit_config(config_path, docs["train"], rules_path, max_steps=max_steps)
    write_atomic(work_dir / "plan.cfg", plan_text)
    if vectors:
        _, vectors_text = fit_config(config_path, docs["train"], rules_path, str(vectors.resolve()), max_steps)
        write_atomic(work_dir / f"{VECTORS_CONFIG}.cfg", vectors_text)
    stock = stock_config()
    if max_steps:
        stock["training"]["max_steps"] = max_steps
    write_atomic(work_dir / "stock.cfg", stock.to_str())
    return {"source": str(source), "sizes": corpus_sizes(docs), "plan": plan_summary(plan)}


@contextlib.contextmanager
def worker_output(log_path: Path) -> Iterator[None]:
    """One BLAS thread, and the console output into log_path: a training
    in a worker process, beside the others."""
    with threadpool_limits(1), open(log_path, "w", encoding="utf8") as log:
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            yield


def train_and_score(
    work_dir: Path, config: str, seed: int, base: Optional[str] = None, variant: Optional[Dict[str, str]] = None
) -> Dict[str, Any]:
    """One training of work_dir/{config}.cfg (or, for a variant, of
    work_dir/{base}.cfg with the variant's overrides) with this seed (in a
    worker process, one BLAS thread, its console output in train.log), then
    the test scores of its model-best."""
    output_dir = work_dir / f"{config}-seed{seed}"
    output_dir.mkdir(parents=True, exist_ok=True)
    overrides = {
        **(variant or {}),
        "paths.train": str(work_dir / "corpus" / "train.spacy"),
        "paths.dev": str(work_dir / "corpus" / "dev.spacy"),
        "paths.log": str(output_dir / "log.jsonl"),
        "system.seed": str(seed),
    }
    config_path = work_dir / f"{base or config}.cfg"
    with worker_output(output_dir / "train.log"):
        training = train_variant(config_path, output_dir, overrides, -1, target=1.0)
        test_path = work_dir / "corpus" / "test.spacy"
        scores = evaluate_pipeline(output_dir / "model-best", test_path, -1, variants=(), per_document=True)
    keep = ("steps", "seconds", "best_dev_score", "best_step", "init_seconds", "total_seconds")
    return {
        "config": config,
        "seed": seed,
        "overrides": dict(variant or {}),
        "training": {key: training[key] for key in keep},
        "gold_tokens": scores["gold_tokens"],
        "raw_text": {key: scores["raw_text"]["as_converted"][key] for key in ("p", "r", "f", "per_label")},
        # (tp, fp, fn) of each test document, for the paired bootstrap
        "documents": scores["per_document"],
    }


def probe_dev_score(work_dir: Path, config: str, settings: Dict[str, Any], seed: int) -> float:
    """The vectors probe's best dev score of work_dir/{config}.cfg (in a
    worker process, one BLAS thread, its console output in probe-{config}.log)."""
    corpus = work_dir / "corpus"
    text = (work_dir / f"{config}.cfg").read_text(encoding="utf8")
    with worker_output(work_dir / f"probe-{config}.log"):
        return best_dev_score(text, corpus / "train.spacy", corpus / "dev.spacy", settings, seed, -1)


def package_speed(models: Dict[str, Path], test_path: Path, batch_size: int, rounds: int) -> Dict[str, Dict]:
    """Words/s of each pipeline over the test texts, timed in turns."""
    pipelines = {name: load_pipeline(str(path)) for name, path in models.items()}
    first = next(iter(pipelines.values()))
    texts = [doc.text for doc in DocBin().from_disk(test_path).get_docs(first.vocab)]
    with threadpool_limits(1):
        return time_in_turns({name: pipe_words(nlp, texts, batch_size) for name, nlp in pipelines.items()}, rounds)


def mean_sd(values: Sequence[float]) -> Dict[str, float]:
    return {
        "mean": statistics.mean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "each": list(values),
    }


def per_label_means(runs: Sequence[Dict], key: str) -> Dict[str, float]:
    """Mean F per label over the seeds (gold tokens: spaCy's ents_per_type;
    raw text: the project's per-label scores)."""
    labels = sorted({label for run in runs for label in run[key]["per_label"]})
    return {
        label: statistics.mean(run[key]["per_label"].get(label, {"f": 0.0})["f"] for run in runs) for label in labels
    }


def summarise_config(runs: Sequence[Dict], speed: Dict[str, float]) -> Dict[str, Any]:
    return {
        "gold_f": mean_sd([run["gold_tokens"]["ents_f"] for run in runs]),
        "raw_f": mean_sd([run["raw_text"]["f"] for run in runs]),
        "gold_f_per_label": per_label_means(runs, "gold_tokens"),
        "raw_f_per_label": per_label_means(runs, "raw_text"),
        "training_seconds": mean_sd([run["training"]["total_seconds"] for run in runs]),
        "words_per_second": speed,
        "runs": list(runs),
    }


def compare(plan: Dict, stock: Dict, min_points: float, min_speed_ratio: float) -> Dict[str, Any]:
    """A config against stock: F points (means over the seeds), the words/s
    ratio, and whether the targets are met; where the runs hold each test
    document's counts, the paired bootstrap of both differences."""
    gold = 100 * (plan["gold_f"]["mean"] - stock["gold_f"]["mean"])
    raw = 100 * (plan["raw_f"]["mean"] - stock["raw_f"]["mean"])
    ratio = plan["words_per_second"]["words_per_second"] / stock["words_per_second"]["words_per_second"]
    comparison = {
        "gold_f_points": gold,
        "raw_f_points": raw,
        "words_per_second_ratio": ratio,
        "target": {"min_points": min_points, "min_speed_ratio": min_speed_ratio},
        "meets_target": gold >= min_points and raw >= min_points and ratio >= min_speed_ratio,
    }
    if plan.get("runs") and stock.get("runs"):
        comparison["bootstrap"] = {
            key: paired_bootstrap(
                [run["documents"][key] for run in plan["runs"]], [run["documents"][key] for run in stock["runs"]]
            )
            for key in ("gold_tokens", "raw_text")
        }
    return comparison


def benchmark_corpora(
    corpora: Dict[str, Path],
    config_path: Path,
    rules_path: Path,
    work_dir: Path,
    seeds: Sequence[int],
    workers: int,
    max_steps: int,
    speed_batch_size: int,
    speed_rounds: int,
    vectors: Optional[Path] = None,
    targets: Tuple[float, float] = (2.0, 0.5),
    variants: Optional[Dict[str, Dict[str, str]]] = None,
) -> Dict[str, Any]:
    """Every corpus prepared, every (corpus, seed, config) trained and
    scored on the cluster, then each corpus's pipelines timed; the figures.
    `variants`: name -> config overrides of the plan's config, each trained
    as one more config."""
    variants = variants or {}
    configs_run = (*CONFIGS, VECTORS_CONFIG) if vectors else CONFIGS
    clashes = set(variants) & {*CONFIGS, VECTORS_CONFIG}
    if clashes:
        raise typer.BadParameter(f"variant names taken by the benchmark's own configs: {', '.join(sorted(clashes))}")
    configs_run = (*configs_run, *variants)
    prepared = {
        name: prepare_corpus(path, work_dir / name, config_path, rules_path, max_steps, vectors)
        for name, path in corpora.items()
    }
    jobs = [(work_dir / name, config, seed) for name in corpora for seed in seeds for config in configs_run]
    # the vectors probe: the plan's config with and without them, first seed
    probe = probe_settings(rules_path, max_steps)
    probes = [(work_dir / name, config) for name in corpora for config in ("plan", VECTORS_CONFIG)] if vectors else []
    with local_cluster(workers) as cluster, Client(cluster) as client:
        probe_futures = [client.submit(probe_dev_score, *job, probe, seeds[0], pure=False) for job in probes]
        futures = [
            client.submit(
                train_and_score, *job, "plan" if job[1] in variants else None, variants.get(job[1]), pure=False
            )
            for job in jobs
        ]
        runs: List[Dict] = client.gather(futures)
        dev_scores = dict(zip(probes, client.gather(probe_futures), strict=True))
    results = {}
    for name in corpora:
        corpus_runs = [run for (folder, _, _), run in zip(jobs, runs, strict=True) if folder == work_dir / name]
        models = {config: work_dir / name / f"{config}-seed{seeds[0]}" / "model-best" for config in configs_run}
        speed = package_speed(models, work_dir / name / "corpus" / "test.spacy", speed_batch_size, speed_rounds)
        configs = {
            config: summarise_config([run for run in corpus_runs if run["config"] == config], speed[config])
            for config in configs_run
        }
        against_stock = {
            config: compare(configs[config], configs["stock"], *targets) for config in configs_run if config != "stock"
        }
        results[name] = {**prepared[name], "configs": configs, "against_stock": against_stock, "chosen": "plan"}
        if vectors:
            verdict = ProbeResult(
                with_vectors=dev_scores[(work_dir / name, VECTORS_CONFIG)],
                without_vectors=dev_scores[(work_dir / name, "plan")],
                steps=probe["steps"],
                min_dev_gain=probe["min_dev_gain"],
            )
            results[name]["vectors_probe"] = verdict.to_dict()
            results[name]["chosen"] = VECTORS_CONFIG if verdict.keep_vectors else "plan"
    return {
        "machine": describe_machine(-1),
        "stock_config": STOCK_COMMAND,
        "settings": {
            "seeds": list(seeds),
            "workers": workers,
            "blas_threads": 1,
            "max_steps": max_steps or "each config's",
            "vectors": str(vectors) if vectors else None,
            "variants": {name: dict(overrides) for name, overrides in variants.items()},
            "vectors_probe": {**probe, "seed": seeds[0]} if vectors else None,
            "bootstrap": f"paired over the test documents, {SAMPLES:,} resamples, F averaged over the seeds",
            "speed": {
                "batch_size": speed_batch_size,
                "rounds": speed_rounds,
                "model": f"model-best of seed {seeds[0]}",
            },
        },
        "corpora": results,
    }


def markdown_table(summary: Dict[str, Any]) -> str:
    """One row per corpus and config: test F on gold tokens and raw text
    (mean ± sd over the seeds), per label, training seconds, words/s."""
    rows = [
        "| corpus | config | gold F | raw F | gold F per label | training s | words/s "
        "| against stock (gold / raw F points, 95% interval) |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for name, corpus in summary["corpora"].items():
        for config, result in corpus["configs"].items():
            labels = ", ".join(f"{label} {f:.3f}" for label, f in result["gold_f_per_label"].items())
            gap = ""
            if config in corpus["against_stock"]:
                versus = corpus["against_stock"][config]
                gap = (
                    f"{versus['gold_f_points']:+.1f} / {versus['raw_f_points']:+.1f} points, "
                    f"× {versus['words_per_second_ratio']:.2f} words/s"
                )
                if "bootstrap" in versus:
                    gold, raw = versus["bootstrap"]["gold_tokens"], versus["bootstrap"]["raw_text"]
                    gap += (
                        f" ({gold['ci95_low']:+.1f} to {gold['ci95_high']:+.1f} / "
                        f"{raw['ci95_low']:+.1f} to {raw['ci95_high']:+.1f})"
                    )
            chosen = " (chosen)" if config == corpus.get("chosen") else ""
            rows.append(
                f"| {name} | {config}{chosen} | {result['gold_f']['mean']:.3f} ± {result['gold_f']['sd']:.3f} "
                f"| {result['raw_f']['mean']:.3f} ± {result['raw_f']['sd']:.3f} | {labels} "
                f"| {result['training_seconds']['mean']:.0f} | {result['words_per_second']['words_per_second']:,.0f} "
                f"| {gap} |"
            )
    return "\n".join(rows) + "\n"
