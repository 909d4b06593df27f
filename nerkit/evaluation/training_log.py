"""The training log written by nerkit.jsonl_logger.v1 (one JSON line per
evaluation): its summary and its curves."""

import io
import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from nerkit.common.atomic_files import write_atomic


def read_log(log_path: Path) -> List[Dict]:
    """Each evaluation's record, read with the standard json module: srsly's
    reader rounds doubles, and the dev scores are compared exactly."""
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]


def training_summary(records: Sequence[Dict], target: float, init_seconds: Optional[float] = None) -> Dict:
    """Steps, seconds and words of the training loop (as spaCy's log counts
    them: evaluations included, initialisation not), its rates, the best dev
    score (a tie goes to the later step, as spaCy keeps model-best) and the
    first evaluation at or above `target`. Where the caller timed the
    initialisation (`init_seconds`), the seconds to the target with it too."""
    last = records[-1]
    best = max(records, key=lambda r: (r["score"], r["step"]))
    reached = next((r for r in records if r["score"] >= target), None)
    with_init = reached["seconds"] + init_seconds if reached and init_seconds is not None else None
    return {
        "steps": last["step"],
        "seconds": last["seconds"],
        "words": last["words"],
        "steps_per_second": last["step"] / last["seconds"] if last["seconds"] else None,
        "words_per_second": last["words"] / last["seconds"] if last["seconds"] else None,
        "best_dev_score": best["score"],
        "best_step": best["step"],
        "best_seconds": best["seconds"],
        "target_dev_score": target,
        "seconds_to_target": reached["seconds"] if reached else None,
        "step_to_target": reached["step"] if reached else None,
        "init_seconds": init_seconds,
        "seconds_to_target_with_init": with_init,
    }


def plot_training(records: Sequence[Dict], output_path: Path) -> None:
    """Dev score and losses against steps and seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in records]
    seconds = [r["seconds"] for r in records]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].plot(steps, [r["score"] for r in records], marker="o")
    axes[0].set(xlabel="step", ylabel="dev score (ents_f)", title="Dev score by step")
    axes[1].plot(seconds, [r["score"] for r in records], marker="o")
    axes[1].set(xlabel="seconds", ylabel="dev score (ents_f)", title="Dev score by time")
    for name in sorted({k for r in records for k in r["losses"]}):
        axes[2].plot(steps, [r["losses"].get(name, 0.0) for r in records], marker="o", label=name)
    axes[2].set(xlabel="step", ylabel="loss since last evaluation", title="Training losses", yscale="symlog")
    axes[2].legend()
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=100)
    write_atomic(output_path, image.getvalue())
    plt.close(fig)
