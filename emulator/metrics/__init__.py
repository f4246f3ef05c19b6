"""The emulator's figures in Prometheus's text format (`GET /metrics`), one registry per app."""
