"""Choose the training for the corpus: the committed config fitted to the
statistics of the converted train split by the rules of configs/plan.yml
(nerkit/train/plan.py); static vectors a user brings made a spaCy vectors
folder and kept where they help on the dev split (nerkit/train/vectors_probe.py).
Writes the config `train` uses and a JSON of each choice and why."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.common.atomic_files import write_atomic, write_json
from nerkit.common.machine import with_run_record
from nerkit.errors import exit_on_error
from nerkit.train.plan import plan_summary
from nerkit.train.vectors import vectors_folder
from nerkit.train.vectors_probe import fit_config_probing_vectors


def main(
    config_path: Path = typer.Argument(..., help="The committed config, e.g. configs/sm.cfg", dir_okay=False),
    train_path: Path = typer.Argument(..., help="The converted train split (train.spacy)", dir_okay=False),
    rules_path: Path = typer.Argument(..., help="The rules and their settings (configs/plan.yml)", dir_okay=False),
    output_config: Path = typer.Argument(..., help="The config to train", dir_okay=False),
    vectors: str = typer.Option("", help="Static vectors: a spaCy vectors folder or a .vec/.txt file ('': none)"),
    vectors_dir: Path = typer.Option(Path("training/vectors"), help="Where a vectors file is converted to"),
    max_steps: int = typer.Option(0, help="Training steps at most (0: the plan's)"),
    dev_path: str = typer.Option(
        "", "--dev", help="The dev split: with vectors given, try them on it (plan.yml vectors_probe; '': keep them)"
    ),
    seed: int = typer.Option(0, help="Seed of the probe's trainings"),
    gpu_id: int = typer.Option(-1, help="GPU of the probe's trainings (-1: CPU)"),
):
    """Write the config fitted to the corpus, and the plan beside it (.json)."""
    dev = Path(dev_path) if dev_path else None
    with exit_on_error():
        vectors_path = str(vectors_folder(Path(vectors), vectors_dir)) if vectors else None
        plan, config_text, probe = fit_config_probing_vectors(
            config_path, train_path, rules_path, vectors_path, max_steps, dev, seed=seed, gpu_id=gpu_id
        )
    write_atomic(output_config, config_text)
    summary = {"config": str(config_path), "train": str(train_path), **plan_summary(plan)}
    if probe is not None:
        summary["vectors_probe"] = probe.to_dict()
    write_json(output_config.with_suffix(".json"), with_run_record(summary, gpu_id))
    profile = plan.profile
    msg.divider(f"Training plan for {train_path} ({config_path.stem})")
    msg.text(
        f"{profile.tokens:,} tokens, {profile.entities:,} entities ({', '.join(profile.labels)}), "
        f"{profile.distinct_share:.3f} distinct strings per entity, {profile.lowercase_share:.1%} lowercase, "
        f"{profile.line_breaks_per_10k} line breaks per 10k tokens"
    )
    for choice in plan.choices:
        msg.text(f"{'✔' if choice.applied else '·'} {choice.setting}: {choice.reason}")
    changed = "the config as committed" if not plan.overrides else f"{len(plan.overrides)} settings changed"
    msg.good(f"Saved {output_config} ({changed}) and {output_config.with_suffix('.json')}")


if __name__ == "__main__":
    typer.run(main)
