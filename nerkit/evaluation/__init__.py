"""How well a pipeline does: entity scores by character offsets, on the
corpus's own tokens and on raw text and its variants, sentence sets written
outside the corpus, a dictionary baseline, a paired bootstrap between two
configs, the training log, and the report built from them."""
