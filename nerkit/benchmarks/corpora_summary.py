"""The figures of the corpus benchmark: each config's test F over the
seeds (mean, sd, per label), its training seconds and words/s, and each
config against stock (F points, the words/s ratio, a paired-bootstrap
interval); the table of them as Markdown."""

import statistics
from typing import Any, Dict, Sequence

from wasabi import MarkdownRenderer

from nerkit.evaluation.bootstrap import paired_bootstrap


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


def against_stock_cell(versus: Dict[str, Any]) -> str:
    """`+1.2 / +0.8 points, × 0.95 words/s (interval gold / interval raw)`."""
    cell = (
        f"{versus['gold_f_points']:+.1f} / {versus['raw_f_points']:+.1f} points, "
        f"× {versus['words_per_second_ratio']:.2f} words/s"
    )
    if "bootstrap" in versus:
        gold, raw = versus["bootstrap"]["gold_tokens"], versus["bootstrap"]["raw_text"]
        cell += (
            f" ({gold['ci95_low']:+.1f} to {gold['ci95_high']:+.1f} / "
            f"{raw['ci95_low']:+.1f} to {raw['ci95_high']:+.1f})"
        )
    return cell


def markdown_table(summary: Dict[str, Any]) -> str:
    """One row per corpus and config: test F on gold tokens and raw text
    (mean ± sd over the seeds), per label, training seconds, words/s."""
    header = (
        "corpus", "config", "gold F", "raw F", "gold F per label", "training s", "words/s",
        "against stock (gold / raw F points, 95% interval)",
    )  # fmt: skip
    rows = []
    for name, corpus in summary["corpora"].items():
        for config, result in corpus["configs"].items():
            versus = corpus["against_stock"].get(config)
            chosen = " (chosen)" if config == corpus.get("chosen") else ""
            rows.append(
                (
                    name,
                    f"{config}{chosen}",
                    f"{result['gold_f']['mean']:.3f} ± {result['gold_f']['sd']:.3f}",
                    f"{result['raw_f']['mean']:.3f} ± {result['raw_f']['sd']:.3f}",
                    ", ".join(f"{label} {f:.3f}" for label, f in result["gold_f_per_label"].items()),
                    f"{result['training_seconds']['mean']:.0f}",
                    f"{result['words_per_second']['words_per_second']:,.0f}",
                    against_stock_cell(versus) if versus else "",
                )
            )
    markdown = MarkdownRenderer()
    markdown.add(markdown.table(rows, header, aligns=("l", "l", "r", "r", "l", "r", "r", "l")))
    return markdown.text + "\n"
