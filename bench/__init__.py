"""Benchmarks: `make bench` runs them all (bench/run_all.py); none of them runs in `make test`."""
