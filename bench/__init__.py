"""Planwatch's benchmarks: how fast and how big (``python -m bench``; see bench/RESULTS.md)."""
