"""Runs INSIDE a function's process, never imported by the emulator. Python 3.9+.

The emulator's side of this line protocol is emulator/invoker/process.py. In the spirit of
DigitalOcean's prelaunched ActionLoop runtime:

1. The last argument is the number of an inherited pipe; it becomes fd 3, the result
   channel. `--debugpy=HOST:PORT` before it (the `--debug` mode) waits for a debugger there.
2. The first stdin line is `{"value": {"code": <path>, "main": <name>, "binary": <bool>}}`,
   plus, for a process prelaunched before its function was known, `"env"` and `"cwd"`: the
   environment and directory to take before the function is imported; `"origin"`, the
   function's own directory when `code` is a staged selection of it; `"image_packages"`,
   the folders of the runtime image's packages, put behind everything else on sys.path.
   The function is imported; fd 3 gets `{"ok": true}`, or, after the cause is printed on
   stderr (`Invalid function: <exception>`), `{"error": <what the platform records>}` (with
   `"missing_module"` when an import failed) and the process exits.
3. Every later stdin line is a run request, `{"value": <event>, "activation_id": ..., ...}`.
   Each key but `value` is exported as `__OW_<KEY>`; main is called by its arity; stdout and
   stderr are flushed, both get the sentinel line, and then fd 3 gets one JSON line.
"""

import importlib.util
import json
import os
import sys
import time
import traceback

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"
# What the platform records when the runtime does not acknowledge its initialisation.
INIT_FAILED = "The function did not initialize properly."
REQUIREMENTS_HINT = (
    "Hint: requirements.txt is not installed: DigitalOcean installs nothing from it and this "
    "function has no virtualenv/ folder; add a build.sh that runs "
    "'virtualenv virtualenv && virtualenv/bin/pip install -r requirements.txt' "
    "(see https://docs.digitalocean.com/products/functions/reference/build-process/)"
)


class Context:
    """DigitalOcean's `context` argument: the activation's metadata."""

    def __init__(self, env):
        self.function_name = env["__OW_ACTION_NAME"]
        self.function_version = env["__OW_ACTION_VERSION"]
        self.activation_id = env["__OW_ACTIVATION_ID"]
        self.request_id = env["__OW_TRANSACTION_ID"]
        self.deadline = int(env["__OW_DEADLINE"])
        self.api_host = env["__OW_API_HOST"]
        self.api_key = env.get("__OW_API_KEY", "")
        self.namespace = env["__OW_NAMESPACE"]

    def get_remaining_time_in_millis(self):
        return max(self.deadline - int(time.time() * 1000), 0)


class _SetupFailure(Exception):
    """A failure the real runtime reports in its own words, without `Invalid function:`."""


def _activate_virtualenv(directory):
    # A `virtualenv/` folder made by the function's build.sh, activated as the real runtime
    # does: through the activate_this.py that the `virtualenv` tool writes (`python -m venv`
    # writes none, and the platform refuses such a folder).
    venv = os.path.join(directory, "virtualenv")
    if not os.path.isdir(venv):
        return
    activate = os.path.join(venv, "bin", "activate_this.py")
    if not os.path.isfile(activate):
        raise _SetupFailure("Invalid virtualenv. Zip file does not include 'activate_this.py'.")
    with open(activate) as script:
        exec(compile(script.read(), activate, "exec"), {"__file__": activate})
    # Projects written for another minor version install into lib/python3.X/site-packages
    # for their X: that folder is found whatever X is, as the platform's runtime for that
    # kind would find it.
    import glob
    import site

    for packages in sorted(glob.glob(os.path.join(venv, "lib", "python3*", "site-packages"))):
        site.addsitedir(packages)


def _add_image_packages(init):
    # The packages the platform's runtime image installs for this kind, where the image has
    # them: as the interpreter's site-packages, after the function's own folder and its
    # virtualenv, which therefore win.
    import site

    folders = [f for f in init.get("image_packages") or () if os.path.isdir(f)]
    if not folders:
        return
    before = list(sys.path)
    for folder in folders:
        site.addsitedir(folder)  # its .pth files too (namespace packages such as google)
    added = [p for p in sys.path if p not in before]
    own = {*site.getsitepackages(), site.getusersitepackages()}
    at = next((i for i, p in enumerate(before) if p in own), len(before))
    sys.path[:] = before[:at] + added + before[at:]


def _load(init):
    code = init["code"]
    main_name = init.get("main") or "main"
    if init.get("binary"):
        directory = code
        path = os.path.join(code, "__main__.py")
        if not os.path.isfile(path):
            raise _SetupFailure("Zip file does not include '__main__.py'.")
        sys.path.insert(0, directory)
        _activate_virtualenv(directory)
    else:
        path = code
    _add_image_packages(init)
    # The real runtime renames the file main__.py and imports it under that name.
    spec = importlib.util.spec_from_file_location("main__", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    spec.loader.exec_module(module)
    main = getattr(module, main_name, None)
    if not callable(main):
        raise AttributeError(f"module 'main__' has no attribute '{main_name}'")
    return main


def _requirements_hint(init):
    """What to do about an import that fails in a directory function whose requirements.txt
    nothing installed (the platform installs nothing from it either), judged from the
    function's own directory: its build.sh, its .ignore; None when that is not the case."""
    if not init.get("binary"):
        return None
    code = init["code"]
    origin = init.get("origin") or code
    if os.path.isdir(os.path.join(code, "virtualenv")):
        return None
    if not any(os.path.isfile(os.path.join(d, "requirements.txt")) for d in (code, origin)):
        return None
    if not os.path.isfile(os.path.join(origin, "build.sh")):
        return REQUIREMENTS_HINT
    made = os.path.isdir(os.path.join(origin, "virtualenv"))
    ignored = _ignore_line(origin, "virtualenv")
    if ignored is not None:
        number, line = ignored
        what = "makes virtualenv/" if made else "is to make virtualenv/"
        return (
            f"Hint: build.sh {what}, but line {number} of .ignore ('{line}') leaves it out of "
            "the function: remove that line"
        )
    if made:
        return (
            "Hint: build.sh makes virtualenv/, but the function's .include does not list it: "
            "add a line 'virtualenv' to .include"
        )
    return (
        "Hint: build.sh made no virtualenv/ folder in the function, so nothing from "
        "requirements.txt is installed: have it run "
        "'virtualenv virtualenv && virtualenv/bin/pip install -r requirements.txt'"
    )


def _ignore_line(directory, name):
    """(line number, text) of the first `.ignore` line that leaves out `name`, a folder at
    the top of the function (gitignore syntax, as the deployer reads it)."""
    import fnmatch

    path = os.path.join(directory, ".ignore")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8", errors="replace") as lines:
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line or line.startswith(("#", "!")):
                continue
            pattern = line.rstrip("/")
            for prefix in ("/", "**/"):
                pattern = pattern.removeprefix(prefix)
            if fnmatch.fnmatchcase(name, pattern):
                return number, line
    return None


def _arity(main):
    code = getattr(main, "__code__", None)
    if code is None:
        code = main.__call__.__code__
        return code.co_argcount - 1
    return code.co_argcount


def _call(main, arity, event):
    if arity == 0:
        return main()
    if arity == 1:
        return main(event)
    return main(event, Context(os.environ))


def _end_of_activation():
    for stream in (sys.stdout, sys.stderr):
        # A function may have closed the stream: its end of file tells the emulator instead.
        try:
            stream.flush()
            stream.write(SENTINEL + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass


def _refuse(out, *lines, **facts):
    """Fail the initialisation: the cause on stderr, the platform's verdict on fd 3 (with
    `facts` for the emulator, such as the module that could not be imported), exit."""
    for line in lines:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()
    out.write(json.dumps({"error": INIT_FAILED, **facts}) + "\n")
    out.flush()
    sys.exit(1)


def _die_with_the_emulator():
    # Linux: if the emulator is killed outright, this process is killed too, not orphaned.
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait_for_debugger(options):
    for option in options:
        if option.startswith("--debugpy="):
            host, _, port = option.partition("=")[2].rpartition(":")
            # The emulator's own debugpy, when this interpreter has none: last on the path.
            site = _option(options, "debugpy-path")
            if site:
                sys.path.append(site)
            import debugpy

            debugpy.listen((host, int(port)))
            debugpy.wait_for_client()


def _option(options, name):
    prefix = f"--{name}="
    return next((o[len(prefix) :] for o in options if o.startswith(prefix)), None)


def _measure(options, init):
    """`--coverage=DATA_FILE`: coverage.py (from `--coverage-path`) measures the function's
    own files until the process ends, then writes a data file of its own beside DATA_FILE."""
    data_file = _option(options, "coverage")
    if data_file is None:
        return
    site = _option(options, "coverage-path")
    if site:
        sys.path.insert(0, site)
    try:
        import coverage
    finally:
        if site:
            sys.path.remove(site)
    code = init["code"]
    root = code if init.get("binary") else os.path.dirname(code)
    measured = coverage.Coverage(
        data_file=data_file,
        data_suffix=True,
        include=[os.path.join(root, "*")],
        omit=[os.path.join(root, "virtualenv", "*")],
    )
    measured.start()

    def save(*_):
        measured.stop()
        measured.save()

    import atexit
    import signal

    atexit.register(save)
    # The emulator stops a process with SIGTERM: save, then end as the signal would.
    signal.signal(signal.SIGTERM, lambda *_: (save(), atexit.unregister(save), os._exit(0)))


def _enter_function(init):
    # A prelaunched process started before its function was known: the function's
    # environment (exactly that) and directory apply now, before any of its code runs.
    env = init.get("env")
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
        if hasattr(time, "tzset"):
            time.tzset()
    cwd = init.get("cwd")
    if cwd is not None:
        os.chdir(cwd)


def main():
    _die_with_the_emulator()
    result_fd = int(sys.argv[-1])
    if result_fd != 3:
        os.dup2(result_fd, 3)
        os.close(result_fd)
    out = os.fdopen(3, "w", encoding="utf-8")
    options = sys.argv[1:-1]
    sys.argv = sys.argv[:1]
    _wait_for_debugger(options)

    init = json.loads(sys.stdin.readline())["value"]
    _enter_function(init)
    _measure(options, init)
    try:
        function = _load(init)
        arity = _arity(function)
    except _SetupFailure as error:
        _refuse(out, str(error))
    except BaseException as error:  # any failure to load is an init failure
        lines = [f"Invalid function: {error}"]
        missing = isinstance(error, ModuleNotFoundError) and error.name
        hint = _requirements_hint(init) if missing else None
        if hint is not None:
            lines.append(hint)
        _refuse(out, *lines, **({"missing_module": error.name} if missing else {}))
    out.write('{"ok": true}\n')
    out.flush()

    while True:
        line = sys.stdin.readline()
        if not line:
            return
        request = json.loads(line)
        for key, value in request.items():
            if key != "value":
                os.environ["__OW_" + key.upper()] = value
        try:
            result = _call(function, arity, request.get("value") or {}) or {}
        except Exception as error:
            traceback.print_exc()
            result = {"error": str(error)}
        # Outside the try, as in the real runtime: a result json cannot encode kills the process.
        encoded = json.dumps(result, ensure_ascii=False)
        _end_of_activation()
        out.write(encoded + "\n")
        out.flush()


if __name__ == "__main__":
    main()
