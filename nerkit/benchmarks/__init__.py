"""The measurements behind the figures: nlp.pipe speed, configs side by side
on the CPU and on public corpora, annotate in process and on Dask, serve
under load, hostile traffic and soaks, and the transformer's one-run GPU
benchmark; with the timing, memory and server-process helpers they share."""
