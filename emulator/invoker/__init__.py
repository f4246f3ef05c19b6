"""Running user code: warm subprocesses, their pool, and the invoker that records activations."""
