"""The `functions-emulator` command line: `serve`, the doctl-shaped client commands, their
output formats, the terminal printer and the start banner."""
