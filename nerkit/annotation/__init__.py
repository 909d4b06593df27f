"""Annotating large collections: input files read as a stream of shards,
annotated in this process or on a Dask cluster, written as resumable part
files with a manifest."""
