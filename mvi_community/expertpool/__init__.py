"""Expert pool: experts, support requests, engagements; `matching.py` is the pure engine."""
