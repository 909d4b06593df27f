"""nerkit: the library behind the project's commands (scripts/), grouped by
concern. It converts, plans, trains, evaluates, packages, annotates and
serves a named-entity pipeline for any corpus; the book is the project's own.

- pipeline_functions: what a trained pipeline runs; the one module that
  `spacy package --code` ships, so it imports nothing of this package;
- errors: the errors a user sees, and how a command exits on them;
- corpus: annotated corpora in their formats (token columns, JSONL spans,
  DocBins, split folders), label schemes, repairs and normalisation, text
  variants, splits and DocBins, the conversion summary, the data-quality report;
- train: what only `spacy train` needs (`--code nerkit/train/functions.py`:
  augmenters, corpus readers, logger), the training plan, static vectors and
  their probe, and a config trained in process;
- evaluation: scores by character offsets, raw text, sentence sets, the
  dictionary baseline, the paired bootstrap, the training log, the report;
- packaging: the model card;
- annotation: large collections, streamed and resumable, in process or on Dask;
- serving: the REST API and page, its limits and request batching;
- benchmarks: the measurements behind the figures, apart from the work they
  observe (a run is watched through a callback, a server as a process);
- common: atomic files, options, the pipeline loader, entities by character
  offsets, the cluster, pipeline renewal, what the machine is.

Installed (editable) by requirements.txt; nothing here imports scripts/.
"""
