"""Reliability tests: crash safety under SIGKILL, schema refusal, recovery."""
