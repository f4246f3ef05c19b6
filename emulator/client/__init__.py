"""A client of a running emulator: its address and key, the REST calls as values, and the
one synchronous client the command line and the pytest plugin share."""
