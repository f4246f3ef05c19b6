"""SQLite: the database every store opens, activation records, what was deployed through the
API, their codecs, schema and retention."""
