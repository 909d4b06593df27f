"""A speed/accuracy table of configs made from one CPU config by named
overrides: each is trained once on the converted corpus (as `spacy train`
does, in this process), scored on every check of the project (test split on
gold tokens; the raw text and its text variants; the sentence sets), and all
of them are then timed side by side in this process: `nlp.pipe` over the
test texts, tokenizer included, at each batch size, in turns (A B C A B C),
so that a ratio between two configs does not move with the machine's speed.
The tokenizer alone (`nlp.make_doc`) is timed in the same turns, as the
ceiling of any pipeline with that tokenizer. One BLAS thread throughout: the
figures are per core. Writes one JSON and the table as Markdown."""

import statistics
from pathlib import Path
from typing import Dict, List, Tuple

from spacy.tokens import DocBin
from threadpoolctl import threadpool_limits
from wasabi import MarkdownRenderer, msg

from nerkit.benchmarks.timing import pipe_words, time_in_turns, tokenizer_words
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import describe_machine
from nerkit.corpus.text_variants import VARIANTS
from nerkit.evaluation.pipeline_scores import evaluate_pipeline
from nerkit.train.in_process import train_config


def counts(raw_text: Dict) -> Dict[str, List[int]]:
    return {name: [scores["tp"], scores["fp"], scores["fn"]] for name, scores in raw_text.items()}


def spread(results: Dict[str, Dict]) -> Dict[str, Dict[str, float]]:
    """Mean, min and max over the configs of gold-token F and of each raw-text
    F (for configs that differ only by their seed: a figure with its spread)."""
    figures: Dict[str, List[float]] = {}
    for result in results.values():
        scores = result["scores"]
        figures.setdefault("gold_tokens_f", []).append(scores["gold_tokens"]["ents_f"])
        for name, raw in scores["raw_text"].items():
            figures.setdefault(f"raw_text_f.{name}", []).append(raw["f"])
    return {
        name: {"mean": statistics.mean(values), "min": min(values), "max": max(values)}
        for name, values in figures.items()
    }


def dev_choice(summary: Dict) -> Dict:
    """The config the dev split chooses from a summary of
    `benchmark_cpu_configs`: the best dev F; among configs that the dev split
    cannot tell apart (the same best dev F), the one with the most words/s at
    the first batch size. The test split plays no part in the choice."""
    size = summary["speed_settings"]["batch_sizes"][0]
    configs = summary["configs"]
    dev = {name: round(c["training"]["best_dev_score"], 4) for name, c in configs.items()}
    best = max(dev.values())
    tied = [name for name, score in dev.items() if score == best]
    chosen = max(tied, key=lambda name: configs[name]["speed"][size]["words_per_second"])
    return {
        "config": chosen,
        "best_dev_score": best,
        "tied_on_dev": tied,
        "rule": f"best dev F (4 decimals), then most words/s at batch {size}",
    }


def choice_markdown(choice: Dict) -> str:
    return (
        f"Chosen on the dev split: `{choice['config']}` ({choice['rule']}; "
        f"tied on dev: {', '.join(choice['tied_on_dev'])}).\n"
    )


def run_name(config: str, batch_size: int) -> str:
    return f"{config}@{batch_size}"


def markdown_table(results: Dict[str, Dict], speed: Dict[str, Dict], baseline: str, batch_sizes: List[int]) -> str:
    """One row per config: overrides, training loop seconds, best dev F, test
    F on gold tokens, the worst text variant's F and its FP/FN, the sentence
    sets, words/s at each batch size, and the ratio to the baseline at the
    first."""
    sizes = " / ".join(str(size) for size in batch_sizes)
    header = (
        "config", "overrides", "loop s", "dev F (best)", "test F (gold)", "raw F, worst variant",
        "raw FP (max)", "raw FN (max)", "sentences found", f"words/s (batch {sizes})", "× baseline",
    )  # fmt: skip
    base_rate = speed[run_name(baseline, batch_sizes[0])]["words_per_second"]
    rows = []
    for name, result in results.items():
        raw = result["scores"]["raw_text"]
        text_variants = {k: v for k, v in raw.items() if k in VARIANTS}
        sentence_sets = {k: v for k, v in raw.items() if k not in VARIANTS}
        rates = [speed[run_name(name, size)]["words_per_second"] for size in batch_sizes]
        rows.append(
            (
                name,
                ", ".join(f"`{k}={v}`" for k, v in result["overrides"].items()) or "(as committed)",
                f"{result['training']['seconds']:.0f}",
                f"{result['training']['best_dev_score']:.4f}",
                f"{result['scores']['gold_tokens']['ents_f']:.4f}",
                f"{min(v['f'] for v in text_variants.values()):.4f}",
                str(max(v["fp"] for v in text_variants.values())),
                str(max(v["fn"] for v in text_variants.values())),
                ", ".join(f"{v['tp']}/{v['tp'] + v['fn']}" for v in sentence_sets.values()),
                " / ".join(f"{rate:,.0f}" for rate in rates),
                f"{rates[0] / base_rate:.2f}",
            )
        )
    markdown = MarkdownRenderer()
    markdown.add(markdown.table(rows, header, aligns=("l", "l", "r", "r", "r", "r", "r", "r", "l", "r", "r")))
    markdown.add(
        f"Tokenizer alone (`nlp.make_doc`), same turns: {speed['tokenizer']['words_per_second']:,.0f} words/s."
    )
    return markdown.text + "\n"


def time_configs(work_dir: Path, names: List[str], test_path: Path, sizes: List[int], rounds: int) -> Dict:
    """Words/s of each config's model-best and of the tokenizer alone over
    the test texts, in turns, at each batch size."""
    pipelines = {name: load_pipeline(str(work_dir / name / "model-best")) for name in names}
    first = next(iter(pipelines.values()))
    texts = [doc.text for doc in DocBin().from_disk(test_path).get_docs(first.vocab)]
    runs = {run_name(name, size): pipe_words(nlp, texts, size) for name, nlp in pipelines.items() for size in sizes}
    runs["tokenizer"] = tokenizer_words(first, texts)
    return {**time_in_turns(runs, rounds), "texts": len(texts)}


def benchmark_cpu_configs(
    config_path: Path,
    corpus_dir: Path,
    configs: Dict[str, Dict[str, str]],
    sentence_sets: Dict[str, Path],
    work_dir: Path,
    sizes: List[int],
    rounds: int,
    target_dev_score: float,
) -> Tuple[Dict, str]:
    """Train, score and time each config (the first is the baseline of the
    ratios); returns the figures and the table as Markdown.
    config_path: the config; corpus_dir: its train/dev/test DocBins; configs:
    name -> overrides, in order; sentence_sets: name -> JSONL file scored too;
    work_dir: the trained pipelines; sizes: the nlp.pipe batch sizes timed;
    rounds: timed turns; target_dev_score: the dev score whose first reaching
    is reported."""
    test_path = corpus_dir / "test.spacy"
    results = {}
    with threadpool_limits(1):
        for name, overrides in configs.items():
            output_dir = work_dir / name
            msg.divider(f"Config {name}")
            splits = {f"paths.{split}": str(corpus_dir / f"{split}.spacy") for split in ("train", "dev")}
            settings = {**splits, "paths.log": str(output_dir / "log.jsonl"), **overrides}
            training = train_config(config_path, output_dir, settings, -1, target=target_dev_score)
            scores = evaluate_pipeline(output_dir / "model-best", test_path, -1, sentence_sets)
            results[name] = {"overrides": overrides, "training": training, "scores": scores}
        speed = time_configs(work_dir, list(results), test_path, sizes, rounds)
    baseline = next(iter(results))

    def with_ratio(run: str, size: int) -> Dict[str, float]:
        reference = speed[run_name(baseline, size)]["words_per_second"]
        return {**speed[run], "ratio_to_baseline": speed[run]["words_per_second"] / reference}

    summary = {
        "machine": describe_machine(-1),
        "config": str(config_path),
        "baseline": baseline,
        "speed_settings": {"batch_sizes": sizes, "rounds": rounds, "blas_threads": 1, "texts": speed["texts"]},
        "configs": {
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
        "spread": spread(results),
    }
    return summary, markdown_table(results, speed, baseline, sizes)
