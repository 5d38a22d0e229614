"""The cross-language benchmark harness; run it with `python -m ragkernels.bench`."""
