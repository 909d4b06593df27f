"""Small pieces every concern uses: files written whole or not at all, the
values of `NAME=VALUE,...` options, the one pipeline loader, entities by
character offsets (and displaCy's format), a local Dask cluster, a pipeline
renewed once its vocabulary's tables outgrow a bound, a description of the
machine a figure was measured on."""
