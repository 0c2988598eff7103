"""Run folders and the service's run store: listing and comparing runs, published files, the worker pool."""
