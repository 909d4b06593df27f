"""The library behind the project's commands (scripts/), grouped by concern:

- pipeline_functions: what a trained pipeline runs; the one module that
  `spacy package --code` ships, so it imports nothing of this package;
- corpus: reading annotated corpora in their formats, repairs and
  normalisation, train/dev/test splits, DocBins, the data-quality report;
- train: what only `spacy train` needs (`--code dlbook/train/functions.py`:
  augmenters, corpus readers, logger), and config variants trained in process;
- evaluation: scores by character offsets, text as users send it, sentence
  sets, the dictionary baseline, the training log, the report;
- annotation: large collections, streamed and resumable, in process or on Dask;
- serving: the REST API and page, its limits and request batching;
- benchmarks: the speed and load measurements behind the README's figures;
- common: atomic files, the pipeline loader, entities by character offsets,
  what the machine is.

Installed (editable) by requirements.txt; nothing here imports scripts/.
"""
