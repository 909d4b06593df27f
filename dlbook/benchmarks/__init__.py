"""The measurements behind the README's figures: nlp.pipe speed, CPU config
variants side by side, annotate in process and on Dask, serve under load,
and the transformer's one-run GPU benchmark."""
