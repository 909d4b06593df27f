"""Training: the functions only `spacy train` needs (augmenters, corpus
readers, logger), the plan that fits a config to a corpus, static vectors
and the probe that keeps them where they help, and a config trained in
this process."""
