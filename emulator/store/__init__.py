"""Activation records in SQLite: the store, its schema and its retention."""
