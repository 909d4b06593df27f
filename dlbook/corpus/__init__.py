"""Annotated corpora as people have them: token-per-line columns, JSONL with
character spans, DocBins, folders that come split; the repairs and
normalisation applied when reading them; train/dev/test splits and their
DocBins; the conversion summary and the data-quality report."""
