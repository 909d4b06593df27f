"""The training chosen for a corpus: statistics of its converted train
split decide which settings of configs/plan.yml are applied to the
committed config. A corpus like the book (a word list, lowercase, text from
a PDF) gets the config as committed, byte for byte; any other gets the
larger network, training to convergence on its own dev score, and the book's
repairs (oversampling, case and PDF/web augmentation, dev variants) only
where its statistics call for them."""

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import srsly
from spacy.tokens import Doc
from thinc.api import Config

from nerkit.corpus.repairs import confirmed_fragments
from nerkit.corpus.text_variants import CASE_VARIANTS


@dataclass
class CorpusProfile:
    """What the rules read, from the train split."""

    tokens: int
    entities: int
    labels: List[str]
    distinct_entity_strings: int
    # distinct entity strings (lowercased) per entity: low for a word list
    distinct_share: float
    # alphabetic tokens without an uppercase letter, of all alphabetic ones
    lowercase_share: float
    # confirmed line-break fragments (`distribu- tion`) per 10,000 tokens
    line_breaks_per_10k: float


@dataclass
class Choice:
    setting: str
    applied: bool
    reason: str


@dataclass
class TrainingPlan:
    profile: CorpusProfile
    choices: List[Choice]
    overrides: Dict[str, Any]


def profile_corpus(docs: Sequence[Doc]) -> CorpusProfile:
    entity_strings = [ent.text.lower() for doc in docs for ent in doc.ents]
    tokens = [token.text for doc in docs for token in doc]
    alphabetic = [token for token in tokens if any(c.isalpha() for c in token)]
    fragments = len(confirmed_fragments(tokens))
    return CorpusProfile(
        tokens=len(tokens),
        entities=len(entity_strings),
        labels=sorted({ent.label_ for doc in docs for ent in doc.ents}),
        distinct_entity_strings=len(set(entity_strings)),
        distinct_share=round(len(set(entity_strings)) / max(1, len(entity_strings)), 4),
        lowercase_share=round(sum(1 for t in alphabetic if t == t.lower()) / max(1, len(alphabetic)), 4),
        line_breaks_per_10k=round(fragments / max(1, len(tokens)) * 10_000, 2),
    )


def for_config(setting: Dict[str, Any], config_name: str) -> Dict[str, Any]:
    """A setting's overrides: per config (`sm:`, `trf:`) or for every config."""
    if setting and all(isinstance(value, dict) for value in setting.values()):
        return dict(setting.get(config_name, {}))
    return dict(setting)


def plan_training(
    profile: CorpusProfile,
    rules_path: Path,
    config_name: str,
    dev_variants: Sequence[str],
    vectors: Optional[str] = None,
) -> TrainingPlan:
    """The settings of rules_path to apply for this corpus, each with why."""
    plan_file = srsly.read_yaml(rules_path)
    rules, settings = plan_file["rules"], plan_file["settings"]
    word_list = profile.distinct_share <= rules["word_list_max_distinct_share"]
    lowercase = profile.lowercase_share >= rules["lowercase_min_share"]
    line_breaks = profile.line_breaks_per_10k >= rules["line_breaks_min_per_10k"]
    share = f"{profile.distinct_entity_strings:,} distinct strings in {profile.entities:,} entities"
    case = f"{profile.lowercase_share:.1%} of alphabetic tokens lowercase"
    breaks = f"{profile.line_breaks_per_10k} confirmed line-break fragments per 10,000 tokens"
    general = not word_list
    choices = [
        Choice("general_network", general, f"{share} ({profile.distinct_share:.3f} per entity)"),
        Choice("converge", general, "a word list trains on the config's fixed schedule" if word_list else share),
        Choice("no_oversampling", general, share),
        Choice("no_adjacent_examples", general, share),
        Choice("no_case_augmentation", not lowercase, case),
        Choice("no_pdf_web", not line_breaks, breaks),
        Choice("static_vectors", bool(vectors), f"vectors: {vectors}" if vectors else "no vectors given"),
    ]
    overrides: Dict[str, Any] = {}
    for choice in choices:
        if choice.applied:
            overrides.update(for_config(settings[choice.setting], config_name))
    if vectors:
        overrides["paths.vectors"] = vectors
    kept = [v for v in dev_variants if (v not in CASE_VARIANTS or lowercase) and (v != "pdf_web" or line_breaks)]
    if list(kept) != list(dev_variants):
        overrides["corpora.dev.variants"] = kept
        choices.append(Choice("dev_variants", True, f"{case}; {breaks}: dev scores {', '.join(kept)}"))
    return TrainingPlan(profile, choices, overrides)


def apply_overrides(config: Config, overrides: Dict[str, Any]) -> List[str]:
    """Set each dotted path in the (uninterpolated) config; a path whose
    section the config lacks is left out. The paths set, in order."""
    applied = []
    for path, value in overrides.items():
        *sections, key = path.split(".")
        node = config
        for section in sections:
            node = node.get(section) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and (key in node or path.startswith("paths.")):
            node[key] = value
            applied.append(path)
    return applied


def fit_config(
    config_path: Path, docs: Sequence[Doc], rules_path: Path, vectors: Optional[str] = None, max_steps: int = 0
) -> Tuple[TrainingPlan, str]:
    """The plan for a train split and the config text it gives (the config
    read once: its dev variants, then the overrides); `max_steps` (0: the
    plan's) caps the training steps."""
    text = config_path.read_text(encoding="utf8")
    config = Config().from_str(text, interpolate=False)
    dev_variants = config["corpora"]["dev"].get("variants", [])
    plan = plan_training(profile_corpus(docs), rules_path, config_path.stem, dev_variants, vectors)
    if max_steps:
        plan.overrides["training.max_steps"] = max_steps
    return plan, _with_overrides(config_path, text, config, plan.overrides)


def _with_overrides(config_path: Path, text: str, config: Config, overrides: Dict[str, Any]) -> str:
    applied = apply_overrides(config, overrides)
    if not applied:
        return text
    header = f"# {config_path} fitted to the corpus by `plan` (docs/corpus.md); changed: {', '.join(applied)}\n"
    return header + config.to_str()


def plan_summary(plan: TrainingPlan) -> Dict[str, Any]:
    return {
        "profile": asdict(plan.profile),
        "choices": [asdict(choice) for choice in plan.choices],
        "overrides": plan.overrides,
    }
