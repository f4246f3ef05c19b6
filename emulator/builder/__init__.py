"""The platform's builder namespace, `/nimbella/builder`, served locally: remote builds run
through the emulator's own build pipeline and land in the caller's namespace."""
