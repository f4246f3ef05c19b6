"""Runs INSIDE a Go function's process, never imported by the emulator. Python 3.9+.

    go_runner.py --modules=<json> <go> <go version> <cache dir> <go build cache>
                 <language version> <source> <main> <result fd>
    go_runner.py --warm <go> <go version> <cache dir> <go build cache> <language version>
    go_runner.py --build <go> <go version> <cache dir> <go build cache> <language version>
                 <source> <main> <the --modules json>
    go_runner.py --dlv=<dlv>@<host:port> <the first form's arguments>
    go_runner.py --unset=<NAME>… <the first or fourth form's arguments>

`--modules` is the user's Go module settings (GOPROXY, GOFLAGS, GOPRIVATE, GONOSUMDB,
GOMODCACHE…, as `go env` reports them): a go.mod's requirements are downloaded as the user's
own `go build` would download them, into the user's module cache.

The second form compiles a trivial function, so that the standard library is in the build
cache before a real function's first call (as it is in the platform's runtime image). The
third compiles a function ahead of its first call, as a remote build does: the compiler's
output on stderr, exit status 1 when it fails. The fourth builds the function for debugging
and runs it under Delve, headless on host:port; the binary then finds the result pipe as
/proc/<pid>/fd/3, since Delve passes its debuggee only the standard streams.

1. The result pipe becomes fd 3, where the compiled launcher (go_launcher.go.txt) writes.
2. The function's binary is `<cache>/bin/<digest>`, the digest covering the sources, the entry
   point, the language version, the toolchain and the launcher. When it is missing it is
   built here, inside the function's first activation as on the platform: under a lock, so
   that two cold processes build it once, then renamed into place.
3. A failed build leaves the compiler's output on stderr, answers the init line with an error
   on fd 3 and exits.
4. Otherwise the binary replaces this process: it inherits stdin (the init line is still
   unread), stdout, stderr and fd 3, and speaks the line protocol itself.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# Bump when the build changes in a way the digest does not see (flags, file names).
BUILD_FORMAT = "1"
LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go_launcher.go.txt")
NO_BINARY = "The function failed to generate or locate a binary. See logs for details."
# What `go` says when the module proxy (or the source it fetches from) cannot be reached.
UNREACHABLE = re.compile(
    r"dial tcp|no such host|connection refused|i/o timeout|network is unreachable"
    r"|proxyconnect|TLS handshake timeout|Temporary failure in name resolution"
    r"|module lookup disabled by GOPROXY=off"
)
# A single file that is a whole program of its own gets no launcher (do-go bin/compile).
OWN_MAIN = re.compile(r"package\s+main\W.*func\s+main\s*\(\s*\)", re.DOTALL)
# Build folders a killed build left behind are removed after this long.
STALE_BUILD_SECONDS = 3600


def entry_point(main):
    """The `main` setting as a Go name: only `main` itself is capitalised."""
    return "Main" if main in ("", "main") else main


def digest(source, parts):
    """A hash of the build's inputs: `parts`, then every file of the source, by path."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode() + b"\0")
    if os.path.isdir(source):
        files = []
        for folder, dirs, names in os.walk(source, followlinks=True):
            dirs.sort()
            files += [os.path.join(folder, name) for name in sorted(names)]
    else:
        files = [source]
    for path in files:
        with open(path, "rb") as file:
            content = file.read()
        relative = os.path.relpath(path, source) if os.path.isdir(source) else ""
        hashed.update(b"%s\0%d\0%s" % (relative.encode(), len(content), content))
    return hashed.hexdigest()


def build_environment(cache, gocache, modules):
    """The user's Go build cache (compiled packages, shared with their other Go work) and
    module settings (`modules`: where modules come from and are kept); no other toolchain,
    no cgo, no go.work, and a go.mod that `go build` may complete (-mod=mod)."""
    gopath = modules.get("GOPATH") or os.path.join(cache, "gopath")
    flags = modules.get("GOFLAGS", "")
    if "-mod=" not in flags:
        flags = f"{flags} -mod=mod".strip()
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", "/"),
        **modules,
        "GOCACHE": gocache,
        "GOPATH": gopath,
        "GOMODCACHE": modules.get("GOMODCACHE") or os.path.join(gopath, "pkg", "mod"),
        "GOFLAGS": flags,
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "GOENV": "off",
        "GO111MODULE": "on",
        "CGO_ENABLED": "0",
    }


def unreachable_proxy(compiler_output, modules):
    """One line for a build that failed because modules could not be downloaded, or None."""
    if not UNREACHABLE.search(compiler_output):
        return None
    proxy = modules.get("GOPROXY", "https://proxy.golang.org,direct")
    return (
        f"Cannot download the modules go.mod requires: the module proxy (GOPROXY={proxy}) "
        "cannot be reached; vendor them into the function with `go mod vendor`, or build "
        "once online."
    )


def write_sources(source, folder, launcher, language, keep_name=False):
    """The user's code as a module in `folder`, with the launcher as main__.go; a single file
    is exec__.go, as on the platform, or keeps its name (a debug build: the debugger's
    paths are then the module's, `exec/<file>`)."""
    if os.path.isdir(source):
        shutil.copytree(source, folder)
        own_main = False
    else:
        os.makedirs(folder)
        name = os.path.basename(source) if keep_name else "exec__.go"
        if name in ("main__.go", "go.mod") or not name.endswith(".go"):
            name = "exec__.go"
        shutil.copyfile(source, os.path.join(folder, name))
        with open(source, encoding="utf-8", errors="replace") as file:
            own_main = OWN_MAIN.search(file.read()) is not None
    if not own_main:
        with open(os.path.join(folder, "main__.go"), "w", encoding="utf-8") as file:
            file.write(launcher)
    # Like the platform's `go mod init exec`, at the language version of the kind.
    if not os.path.exists(os.path.join(folder, "go.mod")):
        with open(os.path.join(folder, "go.mod"), "w", encoding="utf-8") as file:
            file.write(f"module exec\n\ngo {language}\n")


def build(go, cache, gocache, modules, source, launcher, language, target, debug=False):
    """Compile into `target`; None when it succeeds, else the one-line reason (the
    compiler's output is on stderr). A `debug` build keeps what a debugger needs: symbols,
    DWARF 4, no optimisation, no inlining."""
    builds = os.path.join(cache, "build")
    os.makedirs(builds, exist_ok=True)
    remove_stale_builds(builds)
    work = tempfile.mkdtemp(dir=builds)
    try:
        folder = os.path.join(work, "src")
        write_sources(source, folder, launcher, language, keep_name=debug)
        vendored = os.path.isdir(os.path.join(folder, "vendor"))
        output = os.path.join(work, "exec")
        # -trimpath: the binary names files `exec/<file>`, not this temporary folder.
        flags = ["-gcflags=all=-N -l", "-trimpath"] if debug else ["-ldflags=-s -w"]
        command = [go, "build", "-buildvcs=false", *flags, "-o", output, "."]
        if vendored:
            command.insert(2, "-mod=vendor")
        env = build_environment(cache, gocache, modules)
        if debug and language_of(go) >= (1, 25):
            # Go 1.25 writes DWARF 5, which older Delve releases cannot read.
            env["GOEXPERIMENT"] = "nodwarf5"
        sys.stderr.flush()
        done = subprocess.run(
            command,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            check=False,
        )
        compiler_output = done.stdout.decode("utf-8", "replace")
        sys.stderr.write(compiler_output)
        if done.returncode != 0:
            reason = unreachable_proxy(compiler_output, modules)
            if reason is not None:
                sys.stderr.write(reason + "\n")
            sys.stderr.flush()
            return reason or NO_BINARY
        os.replace(output, target)
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_stale_builds(builds):
    limit = time.time() - STALE_BUILD_SECONDS
    for entry in os.scandir(builds):
        if entry.stat().st_mtime < limit:
            shutil.rmtree(entry.path, ignore_errors=True)


def language_of(go):
    """The toolchain's version as (major, minor), from its GOROOT's VERSION file."""
    version_file = os.path.join(os.path.dirname(os.path.dirname(go)), "VERSION")
    try:
        with open(version_file, encoding="utf-8") as file:
            found = re.match(r"go(\d+)\.(\d+)", file.read())
    except OSError:
        return (0, 0)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def ensure_binary(go, version, cache, gocache, language, source, main, modules=None, debug=False):
    """The binary's path, built if needed; else (None, why the build failed)."""
    with open(LAUNCHER, encoding="utf-8") as file:
        launcher = file.read().replace("ENTRY__", entry_point(main))
    parts = [BUILD_FORMAT, version, language, launcher] + (["debug"] if debug else [])
    name = digest(source, parts)
    binaries = os.path.join(cache, "bin")
    os.makedirs(binaries, exist_ok=True)
    target = os.path.join(binaries, name)
    if os.path.exists(target):
        return target, None
    with open(target + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(target):
            return target, None
        failure = build(
            go, cache, gocache, modules or {}, source, launcher, language, target, debug
        )
        return (None, failure) if failure else (target, None)


def fail(message):
    sys.stderr.flush()
    os.write(3, (json.dumps({"error": message}) + "\n").encode())
    sys.exit(1)


def die_with_the_emulator():
    # Linux: if the emulator is killed outright, this process (and the binary it becomes,
    # as the setting survives exec) is killed too, not orphaned.
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


WARM_SOURCE = """package main

func Main(args map[string]interface{}) map[string]interface{} {
	return args
}
"""


def warm(go, version, cache, gocache, language):
    """Compile a trivial function (kept in the binary cache like any other)."""
    folder = tempfile.mkdtemp()
    try:
        source = os.path.join(folder, "warm.go")
        with open(source, "w", encoding="utf-8") as file:
            file.write(WARM_SOURCE)
        built, _ = ensure_binary(go, version, cache, gocache, language, source, "main")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if built else 1)


def build_ahead(go, version, cache, gocache, language, source, main_name, modules="{}"):
    if not entry_point(main_name).isidentifier():
        sys.stderr.write(f"the entry point '{main_name}' is not a Go identifier\n")
        sys.exit(1)
    binary, _ = ensure_binary(
        go, version, cache, gocache, language, source, main_name, json.loads(modules)
    )
    sys.exit(0 if binary else 1)


def main():
    if sys.argv[1] == "--warm":
        warm(*sys.argv[2:7])
    if sys.argv[1] == "--build":
        build_ahead(*sys.argv[2:10])
    die_with_the_emulator()
    # Variables the emulator did not give the function but this Python process added itself
    # (with no locale set, its C-locale coercion sets LC_CTYPE): the binary must not see them.
    while sys.argv[1].startswith("--unset="):
        os.environ.pop(sys.argv.pop(1)[len("--unset=") :], None)
    delve = None
    if sys.argv[1].startswith("--dlv="):
        delve = sys.argv.pop(1)[len("--dlv=") :].rpartition("@")
    modules = json.loads(sys.argv[1].partition("=")[2])
    go, version, cache, gocache, language, source, main_name, result_fd = sys.argv[2:10]
    if int(result_fd) != 3:
        os.dup2(int(result_fd), 3)
        os.close(int(result_fd))
    if not entry_point(main_name).isidentifier():
        sys.stderr.write(
            "Function does not conform to supported type: "
            f"the entry point '{main_name}' is not a Go identifier\n"
        )
        fail(NO_BINARY)
    try:
        binary, failure = ensure_binary(
            go, version, cache, gocache, language, source, main_name, modules, delve is not None
        )
    except OSError as error:
        sys.stderr.write(f"Cannot build the function with {go}: {error}\n")
        fail(NO_BINARY)
    if binary is None:
        fail(failure or NO_BINARY)
    if delve is not None:
        under_delve(delve[0], delve[2], binary)
    try:
        os.execv(binary, [binary])
    except OSError as error:
        sys.stderr.write(f"Cannot start {binary}: {error}\n")
        fail(NO_BINARY)


def under_delve(dlv, address, binary):
    """Become Delve, serving the binary headless on `address`; the binary runs at once."""
    # This process's fd 3, which Delve keeps open, is the binary's way to the result pipe.
    results = f"/proc/{os.getpid()}/fd/3"
    argv = [
        dlv,
        "exec",
        "--headless",
        f"--listen={address}",
        "--api-version=2",
        "--accept-multiclient",
        "--continue",
        "--check-go-version=false",
        # Its own messages are not the function's logs.
        "--log-dest=/dev/null",
        binary,
        "--",
        f"--results={results}",
    ]
    try:
        os.execv(dlv, argv)
    except OSError as error:
        sys.stderr.write(f"Cannot start {dlv}: {error}\n")
        fail(NO_BINARY)


if __name__ == "__main__":
    main()
