"""Annotated corpora as people have them: token-per-line columns, JSONL with
character spans, DocBins, folders that come split; label schemes, the
repairs and normalisation applied when reading them; documents rebuilt from
words and rewritten as users send their text (text variants); train/dev/test
splits and their DocBins; the conversion summary and the data-quality report."""
