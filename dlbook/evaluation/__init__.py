"""How well a pipeline does: entity scores by character offsets, the test
text rewritten as users send it, sentence sets written outside the corpus,
a dictionary baseline, the training log, and the report built from them."""
