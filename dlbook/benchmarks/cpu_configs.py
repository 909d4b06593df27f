"""A speed/accuracy table of variants of a CPU config: each variant is
trained once on the converted corpus (as `spacy train` does, in this
process), scored on every check of the project (test split on gold tokens;
raw text as converted, re-cased, NFKC, with ligatures, as PDF/web text; the
sentence sets), and all of them are then timed side by side in this process:
`nlp.pipe` over the test texts, tokenizer included, at each batch size, in
turns (A B C A B C), so that a ratio between two variants does not move with
the machine's speed.
The tokenizer alone (`nlp.make_doc`) is timed in the same turns, as the
ceiling of any pipeline with that tokenizer. One BLAS thread throughout: the
figures are per core. Writes one JSON and the table as Markdown."""

import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from spacy.language import Language
from spacy.tokens import DocBin
from threadpoolctl import threadpool_limits
from wasabi import msg

from dlbook.benchmarks.speed import tokenizer_words
from dlbook.common.loading import load_pipeline
from dlbook.common.machine import describe_machine
from dlbook.evaluation.pipeline_scores import evaluate_pipeline
from dlbook.evaluation.text_variants import VARIANTS
from dlbook.train.variants import train_variant


def time_in_turns(runs: Dict[str, Callable[[], int]], rounds: int) -> Dict[str, Dict[str, float]]:
    """Words/s of each run (a function that returns the words it processed),
    called in turn `rounds` times after one warm-up turn: median, min, max."""
    rates: Dict[str, List[float]] = {name: [] for name in runs}
    for turn in range(rounds + 1):
        for name, run in runs.items():
            start = time.perf_counter()
            words = run()
            if turn:  # the first turn warms caches up
                rates[name].append(words / (time.perf_counter() - start))
    return {
        name: {"words_per_second": statistics.median(values), "min": min(values), "max": max(values)}
        for name, values in rates.items()
    }


def pipe_words(nlp: Language, texts: List[str], batch_size: int) -> Callable[[], int]:
    return lambda: sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))


def counts(raw_text: Dict) -> Dict[str, List[int]]:
    return {name: [scores["tp"], scores["fp"], scores["fn"]] for name, scores in raw_text.items()}


def run_name(variant: str, batch_size: int) -> str:
    return f"{variant}@{batch_size}"


def markdown_table(results: Dict[str, Dict], speed: Dict[str, Dict], baseline: str, batch_sizes: List[int]) -> str:
    """One row per variant: overrides, training loop seconds, gold F, the
    worst raw-text variant's F and its FP/FN, the sentence sets, words/s at
    each batch size, and the ratio to the baseline at the first."""
    sizes = " / ".join(str(size) for size in batch_sizes)
    rows = [
        "| variant | overrides | loop s | gold F | raw F, worst variant | raw FP (max) | raw FN (max) "
        f"| sentences found | words/s (batch {sizes}) | × baseline |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    base_rate = speed[run_name(baseline, batch_sizes[0])]["words_per_second"]
    for name, result in results.items():
        raw = result["scores"]["raw_text"]
        text_variants = {k: v for k, v in raw.items() if k in VARIANTS}
        sentence_sets = {k: v for k, v in raw.items() if k not in VARIANTS}
        overrides = ", ".join(f"`{k}={v}`" for k, v in result["overrides"].items()) or "(as committed)"
        found = ", ".join(f"{v['tp']}/{v['tp'] + v['fn']}" for v in sentence_sets.values())
        rates = [speed[run_name(name, size)]["words_per_second"] for size in batch_sizes]
        rows.append(
            f"| {name} | {overrides} | {result['training']['seconds']:.0f} "
            f"| {result['scores']['gold_tokens']['ents_f']:.4f} | {min(v['f'] for v in text_variants.values()):.4f} "
            f"| {max(v['fp'] for v in text_variants.values())} | {max(v['fn'] for v in text_variants.values())} "
            f"| {found} | {' / '.join(f'{rate:,.0f}' for rate in rates)} | {rates[0] / base_rate:.2f} |"
        )
    tokenizer = speed["tokenizer"]["words_per_second"]
    rows.append(f"\nTokenizer alone (`nlp.make_doc`), same turns: {tokenizer:,.0f} words/s.")
    return "\n".join(rows) + "\n"


def benchmark_cpu_configs(
    config_path: Path,
    corpus_dir: Path,
    variants: Dict[str, Dict[str, str]],
    sentence_sets: Dict[str, Path],
    work_dir: Path,
    sizes: List[int],
    rounds: int,
    target_dev_score: float,
) -> Tuple[Dict, str]:
    """Train, score and time each variant (the first is the baseline of the
    ratios); returns the figures and the table as Markdown."""
    test_path = corpus_dir / "test.spacy"
    results = {}
    with threadpool_limits(1):
        for name, overrides in variants.items():
            output_dir = work_dir / name
            msg.divider(f"Variant {name}")
            settings = {
                "paths.train": str(corpus_dir / "train.spacy"),
                "paths.dev": str(corpus_dir / "dev.spacy"),
                "paths.log": str(output_dir / "log.jsonl"),
                **overrides,
            }
            training = train_variant(config_path, output_dir, settings, -1, target=target_dev_score)
            scores = evaluate_pipeline(output_dir / "model-best", test_path, -1, sentence_sets)
            results[name] = {"overrides": overrides, "training": training, "scores": scores}
        pipelines = {name: load_pipeline(str(work_dir / name / "model-best")) for name in results}
        first = next(iter(pipelines.values()))
        texts = [doc.text for doc in DocBin().from_disk(test_path).get_docs(first.vocab)]
        runs = {run_name(name, size): pipe_words(nlp, texts, size) for name, nlp in pipelines.items() for size in sizes}
        runs["tokenizer"] = tokenizer_words(first, texts)
        speed = time_in_turns(runs, rounds)
    baseline = next(iter(results))

    def with_ratio(run: str, size: int) -> Dict[str, float]:
        reference = speed[run_name(baseline, size)]["words_per_second"]
        return {**speed[run], "ratio_to_baseline": speed[run]["words_per_second"] / reference}

    summary = {
        "machine": describe_machine(-1),
        "config": str(config_path),
        "baseline": baseline,
        "speed_settings": {"batch_sizes": sizes, "rounds": rounds, "blas_threads": 1, "texts": len(texts)},
        "variants": {
            name: {
                "overrides": r["overrides"],
                "training": {k: v for k, v in r["training"].items() if k != "dev_curve"},
                "dev_curve": r["training"]["dev_curve"],
                "gold_tokens": r["scores"]["gold_tokens"],
                "raw_text_tp_fp_fn": counts(r["scores"]["raw_text"]),
                "raw_text_f": {k: v["f"] for k, v in r["scores"]["raw_text"].items()},
                "speed": {size: with_ratio(run_name(name, size), size) for size in sizes},
            }
            for name, r in results.items()
        },
        "tokenizer_speed": with_ratio("tokenizer", sizes[0]),
    }
    return summary, markdown_table(results, speed, baseline, sizes)
