"""Benchmarks: `python -m bench` measures speed and memory against stated targets."""
