"""Toolchain probes are kept in the user cache: a program is asked again only when it, a file
its answer names, or what its answer depends on changed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from emulator.invoker.launchers.python import probe_python
from emulator.invoker.toolchain_probes import FILE_NAME, ToolchainProbes


def fake_program(path: Path, answer: str) -> Path:
    """A program that prints `answer` and counts its runs in `<path>.runs`."""
    path.write_text(f"#!/bin/sh\necho run >> '{path}.runs'\necho \"{answer}\"\n")
    path.chmod(0o755)
    return path


def runs(program: Path) -> int:
    counted = Path(f"{program}.runs")
    return len(counted.read_text().splitlines()) if counted.exists() else 0


def probe_twice(cache: Path, argv: list[str], **options: object) -> tuple[str | None, str | None]:
    """One probe at one start, the same at the next (a new object reading the saved file)."""
    first = ToolchainProbes.in_cache(cache)
    answer = first.run(argv, **options)  # type: ignore[arg-type]
    first.save()
    return answer, ToolchainProbes.in_cache(cache).run(argv, **options)  # type: ignore[arg-type]


def test_an_unchanged_program_is_asked_once_across_starts(tmp_path):
    program = fake_program(tmp_path / "node", "20.1.0")
    assert probe_twice(tmp_path / "cache", [str(program), "-v"]) == ("20.1.0\n", "20.1.0\n")
    assert runs(program) == 1
    assert (tmp_path / "cache" / FILE_NAME).is_file()


def test_a_changed_program_is_asked_again(tmp_path):
    cache = tmp_path / "cache"
    program = fake_program(tmp_path / "php", "8.2.1")
    probes = ToolchainProbes.in_cache(cache)
    assert probes.run([str(program)]) == "8.2.1\n"
    probes.save()
    fake_program(program, "8.3.0")
    os.utime(program, ns=(1, 1))
    assert ToolchainProbes.in_cache(cache).run([str(program)]) == "8.3.0\n"
    assert runs(program) == 2


def test_a_shim_is_asked_again_when_the_executable_it_names_changes(tmp_path):
    real = tmp_path / "python3.11-real"
    real.write_text("not run")
    shim = fake_program(tmp_path / "python3.11", f"3.11.7 {real}")
    cache = tmp_path / "cache"
    probe_twice(cache, [str(shim)])
    assert runs(shim) == 1
    os.utime(real, ns=(2, 2))
    ToolchainProbes.in_cache(cache).run([str(shim)])
    assert runs(shim) == 2


def test_an_answer_depends_on_the_variables_and_files_named_for_it(tmp_path):
    program = fake_program(tmp_path / "go", "{}")
    settings = tmp_path / "go.env"
    cache = tmp_path / "cache"
    for gopath, written in (("/a", False), ("/a", False), ("/b", False), ("/b", True)):
        if written:
            settings.write_text("GOFLAGS=-mod=mod\n")
        probes = ToolchainProbes.in_cache(cache)
        probes.run(
            [str(program)],
            env={**os.environ, "GOPATH": gopath},
            keyed_env=["GOPATH"],
            depends_on=[settings],
        )
        probes.save()
    assert runs(program) == 3


def test_a_program_that_fails_or_is_missing_answers_none(tmp_path):
    failing = tmp_path / "broken"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    probes = ToolchainProbes(None)
    assert probes.run([str(failing)]) is None
    assert probes.run([str(tmp_path / "missing")]) is None


def test_a_damaged_cache_file_is_ignored(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_text("{not json")
    program = fake_program(tmp_path / "node", "22.0.0")
    assert ToolchainProbes.in_cache(cache).run([str(program)]) == "22.0.0\n"


def test_the_launchers_probe_through_it(tmp_path):
    probes = ToolchainProbes.in_cache(tmp_path)
    found = probe_python(sys.executable, probes)
    assert found is not None and probes.ran == 1
    assert probe_python(sys.executable, probes) == found
    assert probes.ran == 1
