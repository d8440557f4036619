"""Readers for the benchmark's existing data sources (pure: no Flask, no database)."""
