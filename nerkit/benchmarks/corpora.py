"""The project's training choice against spaCy's stock config on public
corpora (`spacy project run benchmark-corpora`). Each corpus is converted as
`convert` does and planned as `plan` does (configs/plan.yml); spaCy's stock
efficiency config (`spacy init config -p ner -o efficiency`, unchanged but
for its logger, which only logs) trains on the same DocBins. Every
(corpus, config, seed) is one training in a one-thread Dask worker process;
with static vectors given, the plan's config with them is a third. Each
is scored on the test split on gold tokens (`spacy evaluate
--gold-preproc`) and on its raw text, per label. Named overrides of the
plan's config (`--config NAME:section.key=value,...`) train beside them as
more configs, to measure the plan's choices against the alternatives.
With vectors, the plan's vectors probe (configs/plan.yml) runs on each
corpus as `plan` runs it, and the config it keeps is the corpus's choice.
The model-best pipelines
(what `spacy package` ships) are then timed in turns in this process, one
BLAS thread, so that the words/s ratio between the two configs does not move
with the machine's speed. Each difference against stock comes with a 95%
interval from a paired bootstrap over the test documents."""

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from distributed import Client
from spacy.cli.init_config import init_config
from spacy.tokens import DocBin
from thinc.api import Config
from threadpoolctl import threadpool_limits

from nerkit.benchmarks.corpora_summary import compare, summarise_config
from nerkit.benchmarks.timing import pipe_words, time_in_turns
from nerkit.common.atomic_files import write_atomic
from nerkit.common.cluster import local_cluster
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import describe_machine
from nerkit.corpus.docbins import write_splits
from nerkit.corpus.reader import ReadOptions, read_corpus
from nerkit.corpus.repairs import FragmentEntities
from nerkit.corpus.summary import corpus_sizes
from nerkit.errors import OptionError
from nerkit.evaluation.bootstrap import SAMPLES
from nerkit.evaluation.pipeline_scores import evaluate_pipeline
from nerkit.train.in_process import train_config
from nerkit.train.plan import fit_config, plan_summary
from nerkit.train.vectors_probe import ProbeResult, best_dev_score, probe_settings

STOCK_COMMAND = "spacy init config -p ner -l en -o efficiency"
CONFIGS = ("stock", "plan")
VECTORS_CONFIG = "plan_vectors"


def stock_config() -> Config:
    """spaCy's defaults for an ner on the CPU, as STOCK_COMMAND writes them;
    its console logger is replaced by the project's JSONL logger (the same
    console table, plus each evaluation's seconds) so that both configs are
    timed alike."""
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False, silent=True)
    config["paths"]["log"] = None
    config["training"]["logger"] = {"@loggers": "nerkit.jsonl_logger.v1", "path": "${paths.log}", "progress_bar": None}
    return config


def prepare_corpus(
    source: Path, work_dir: Path, config_path: Path, rules_path: Path, max_steps: int, vectors: Optional[Path]
) -> Dict:
    """The corpus converted into work_dir/corpus, the plan's config (and
    with `vectors` the plan's config using them) and the stock config
    beside it (`max_steps` > 0 caps them all); its sizes and plan.
    source: the corpus folder; work_dir: where its DocBins and configs go;
    config_path, rules_path: the project's config and the plan's rules;
    max_steps: a cap on every config's steps (0: none); vectors: a vectors
    folder for a third config, or None."""
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
    work_dir: Path, config: str, seed: int, base: Optional[str] = None, overrides: Optional[Dict[str, str]] = None
) -> Dict[str, Any]:
    """One training of work_dir/{config}.cfg (or, for a config of named
    overrides, of work_dir/{base}.cfg with them) with this seed (in a
    worker process, one BLAS thread, its console output in train.log), then
    the test scores of its model-best."""
    output_dir = work_dir / f"{config}-seed{seed}"
    output_dir.mkdir(parents=True, exist_ok=True)
    settings = {
        **(overrides or {}),
        "paths.train": str(work_dir / "corpus" / "train.spacy"),
        "paths.dev": str(work_dir / "corpus" / "dev.spacy"),
        "paths.log": str(output_dir / "log.jsonl"),
        "system.seed": str(seed),
    }
    config_path = work_dir / f"{base or config}.cfg"
    with worker_output(output_dir / "train.log"):
        training = train_config(config_path, output_dir, settings, -1, target=1.0)
        test_path = work_dir / "corpus" / "test.spacy"
        scores = evaluate_pipeline(output_dir / "model-best", test_path, -1, variants=(), per_document=True)
    keep = ("steps", "seconds", "best_dev_score", "best_step", "init_seconds", "total_seconds")
    return {
        "config": config,
        "seed": seed,
        "overrides": dict(overrides or {}),
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


@dataclass(frozen=True)
class CorporaSettings:
    """How the corpus benchmark trains and times (the defaults are the
    command's): the seeds, the trainings at a time, a cap on the steps (0:
    each config's own), the timing's batch size and turns, static vectors
    for a third config, the targets against stock (F points, words/s ratio),
    and named overrides of the plan's config trained as more configs."""

    seeds: Tuple[int, ...] = (0, 1, 2)
    workers: int = 2
    max_steps: int = 0
    speed_batch_size: int = 128
    speed_rounds: int = 3
    vectors: Optional[Path] = None
    targets: Tuple[float, float] = (2.0, 0.5)
    configs: Dict[str, Dict[str, str]] = field(default_factory=dict)

    def __post_init__(self):
        clashes = set(self.configs) & {*CONFIGS, VECTORS_CONFIG}
        if clashes:
            raise OptionError(f"config names taken by the benchmark's own configs: {', '.join(sorted(clashes))}")

    def config_names(self) -> Tuple[str, ...]:
        """Every config trained, the benchmark's own first."""
        own = (*CONFIGS, VECTORS_CONFIG) if self.vectors else CONFIGS
        return (*own, *self.configs)


def run_trainings(corpora: Dict[str, Path], work_dir: Path, settings: CorporaSettings, probe: Dict) -> Tuple:
    """Every (corpus, seed, config) trained and scored, and each corpus's
    vectors probe (first seed), on a local cluster: the jobs, their runs and
    the probes' dev scores."""
    names = settings.config_names()
    jobs = [(work_dir / name, config, seed) for name in corpora for seed in settings.seeds for config in names]
    probes = [(work_dir / name, c) for name in corpora for c in ("plan", VECTORS_CONFIG)] if settings.vectors else []
    with local_cluster(settings.workers) as cluster, Client(cluster) as client:
        probe_futures = [client.submit(probe_dev_score, *job, probe, settings.seeds[0], pure=False) for job in probes]
        futures = [
            client.submit(
                train_and_score,
                *job,
                "plan" if job[1] in settings.configs else None,
                settings.configs.get(job[1]),
                pure=False,
            )  # fmt: skip
            for job in jobs
        ]
        runs: List[Dict] = client.gather(futures)
        dev_scores = dict(zip(probes, client.gather(probe_futures), strict=True))
    return jobs, runs, dev_scores


def corpus_result(corpus_dir: Path, runs: List[Dict], settings: CorporaSettings) -> Dict[str, Any]:
    """One corpus's configs (its runs over the seeds, its pipelines timed in
    turns) and each against stock."""
    names = settings.config_names()
    models = {config: corpus_dir / f"{config}-seed{settings.seeds[0]}" / "model-best" for config in names}
    test_path = corpus_dir / "corpus" / "test.spacy"
    speed = package_speed(models, test_path, settings.speed_batch_size, settings.speed_rounds)
    configs = {
        config: summarise_config([run for run in runs if run["config"] == config], speed[config]) for config in names
    }
    against_stock = {
        config: compare(configs[config], configs["stock"], *settings.targets) for config in names if config != "stock"
    }
    return {"configs": configs, "against_stock": against_stock, "chosen": "plan"}


def benchmark_corpora(
    corpora: Dict[str, Path], config_path: Path, rules_path: Path, work_dir: Path, settings: CorporaSettings
) -> Dict[str, Any]:
    """Every corpus prepared, every (corpus, seed, config) trained and
    scored on the cluster, then each corpus's pipelines timed; the figures."""
    prepared = {
        name: prepare_corpus(path, work_dir / name, config_path, rules_path, settings.max_steps, settings.vectors)
        for name, path in corpora.items()
    }
    probe = probe_settings(rules_path, settings.max_steps)
    jobs, runs, dev_scores = run_trainings(corpora, work_dir, settings, probe)
    results = {}
    for name in corpora:
        corpus_runs = [run for (folder, _, _), run in zip(jobs, runs, strict=True) if folder == work_dir / name]
        results[name] = {**prepared[name], **corpus_result(work_dir / name, corpus_runs, settings)}
        if settings.vectors:
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
        "settings": settings_summary(settings, probe),
        "corpora": results,
    }


def settings_summary(settings: CorporaSettings, probe: Dict[str, Any]) -> Dict[str, Any]:
    vectors = settings.vectors
    return {
        "seeds": list(settings.seeds),
        "workers": settings.workers,
        "blas_threads": 1,
        "max_steps": settings.max_steps or "each config's",
        "vectors": str(vectors) if vectors else None,
        "configs": {name: dict(overrides) for name, overrides in settings.configs.items()},
        "vectors_probe": {**probe, "seed": settings.seeds[0]} if vectors else None,
        "bootstrap": f"paired over the test documents, {SAMPLES:,} resamples, F averaged over the seeds",
        "speed": {
            "batch_size": settings.speed_batch_size,
            "rounds": settings.speed_rounds,
            "model": f"model-best of seed {settings.seeds[0]}",
        },
    }
