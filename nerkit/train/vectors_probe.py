"""Whether static vectors a user brings help on this corpus, tried on its
dev split: the fitted config trained for a few hundred steps with the
vectors and without, and the vectors kept only where their best dev score
is ahead by a margin (configs/plan.yml `vectors_probe`; what it chose on the
public corpora: docs/corpus.md)."""

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import srsly

from nerkit.corpus.reader import read_docbin
from nerkit.train.in_process import train_config
from nerkit.train.plan import Choice, TrainingPlan, fit_config


@dataclass
class ProbeResult:
    with_vectors: float
    without_vectors: float
    steps: int
    min_dev_gain: float

    @property
    def keep_vectors(self) -> bool:
        return self.with_vectors >= self.without_vectors + self.min_dev_gain

    def to_dict(self) -> Dict[str, Any]:
        """The dev scores, settings and verdict (for the JSON beside a plan)."""
        return {**asdict(self), "keep_vectors": self.keep_vectors}

    @property
    def reason(self) -> str:
        verdict = "kept" if self.keep_vectors else "left out"
        return (
            f"best dev score in {self.steps} steps {self.with_vectors:.3f} with the vectors, "
            f"{self.without_vectors:.3f} without (kept from +{self.min_dev_gain:.3f}): {verdict}"
        )


def best_dev_score(
    config_text: str, train_path: Path, dev_path: Path, settings: Dict[str, Any], seed: int, gpu_id: int
) -> float:
    """Train `config_text` in this process for `settings["steps"]` steps
    (evaluated every `settings["eval_frequency"]`); its best dev score.
    config_text: the config; train_path, dev_path: its DocBins; settings:
    the probe's steps and evaluation frequency; seed: the training seed;
    gpu_id: the device."""
    with tempfile.TemporaryDirectory(prefix="vectors-probe-", ignore_cleanup_errors=True) as folder:
        work_dir = Path(folder)
        config_path = work_dir / "config.cfg"
        config_path.write_text(config_text, encoding="utf8")
        overrides = {
            "paths.train": str(train_path),
            "paths.dev": str(dev_path),
            "paths.log": str(work_dir / "log.jsonl"),
            "system.seed": str(seed),
            "training.max_steps": str(settings["steps"]),
            "training.patience": str(settings["steps"]),
            "training.eval_frequency": str(settings["eval_frequency"]),
        }
        return train_config(config_path, work_dir, overrides, gpu_id=gpu_id, target=1.0)["best_dev_score"]


def probe_vectors(
    with_vectors: str,
    without_vectors: str,
    train_path: Path,
    dev_path: Path,
    settings: Dict[str, Any],
    seed: int = 0,
    gpu_id: int = -1,
) -> ProbeResult:
    """Both config texts trained alike on the train split and scored on dev.
    with_vectors, without_vectors: the two config texts; train_path,
    dev_path: the DocBins; settings: the probe's steps, frequency and margin;
    seed: the trainings' seed; gpu_id: the device."""
    return ProbeResult(
        with_vectors=best_dev_score(with_vectors, train_path, dev_path, settings, seed, gpu_id),
        without_vectors=best_dev_score(without_vectors, train_path, dev_path, settings, seed, gpu_id),
        steps=settings["steps"],
        min_dev_gain=settings["min_dev_gain"],
    )


def probe_settings(rules_path: Path, max_steps: int = 0) -> Dict[str, Any]:
    """rules_path's `vectors_probe`, its steps never more than `max_steps`
    (> 0), the training it is for."""
    settings = dict(srsly.read_yaml(rules_path).get("vectors_probe") or {})
    if max_steps and settings.get("steps"):
        settings["steps"] = min(settings["steps"], max_steps)
    return settings


def fit_config_probing_vectors(
    config_path: Path,
    train_path: Path,
    rules_path: Path,
    vectors: Optional[str],
    max_steps: int,
    dev_path: Optional[Path],
    seed: int = 0,
    gpu_id: int = -1,
) -> Tuple[TrainingPlan, str, Optional[ProbeResult]]:
    """The plan and config text of `fit_config` for the train split (a
    DocBin); where vectors are given and a dev split too, the plan with or
    without them as the probe decides.
    config_path: the committed config; train_path: the train DocBin;
    rules_path: the plan's rules; vectors: a vectors folder, or None;
    max_steps: a cap on the steps (0: the plan's); dev_path: the dev DocBin
    (None: vectors kept untried); seed, gpu_id: the probe's trainings."""
    docs = read_docbin(train_path)
    plan, text = fit_config(config_path, docs, rules_path, vectors, max_steps)
    settings = probe_settings(rules_path, max_steps)
    if not vectors or dev_path is None or not settings.get("steps"):
        return plan, text, None
    plan_without, text_without = fit_config(config_path, docs, rules_path, None, max_steps)
    result = probe_vectors(text, text_without, train_path, dev_path, settings, seed, gpu_id)
    chosen, chosen_text = (plan, text) if result.keep_vectors else (plan_without, text_without)
    chosen.choices = [c for c in chosen.choices if c.setting != "static_vectors"]
    chosen.choices.append(Choice("static_vectors", result.keep_vectors, f"vectors: {vectors}; {result.reason}"))
    return chosen, chosen_text, result
