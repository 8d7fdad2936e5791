"""The re-upload benchmark: a transform suite (suite.py) and its harness (../bench_reupload.py)."""
