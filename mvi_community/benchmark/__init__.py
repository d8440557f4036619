"""Benchmark domain: editions, indicators, imports and the composite-indicator engine."""
