"""The annual MVI prize: editions, nominations, rubric, jury and scores (engine: scoring.py)."""
