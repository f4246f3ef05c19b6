"""functions-emulator: DigitalOcean Functions (Apache OpenWhisk) on your machine."""

__version__ = "0.1.0"
