"""Replaying activations: what each was invoked with, running it again, comparing the results,
and writing it down as a pytest test."""
