"""Builds run as the deployer runs them (functions-deployer finder-builder.ts
`buildAllActions`): one package's functions one after another, packages side by side; and a
build that exits 0 without its declared output has failed, is not cached, and runs again."""

from __future__ import annotations

import logging

PY = "def main(args):\n    return args\n"

# Holds a lock file shared by the package's functions for a while: a second build that finds
# it there is running at the same time, and says so.
RACY_BUILD = """\
if [ -e ../shared.lock ]; then echo "$(basename "$PWD")" >> ../../../raced.txt; fi
touch ../shared.lock
echo "start $(basename "$PWD")" >> ../../../events.txt
sleep 0.3
echo "end $(basename "$PWD")" >> ../../../events.txt
rm -f ../shared.lock
"""

# Waits (10 s at most) for the other package's build to have started: only builds that run
# side by side both succeed.
MEETS = """\
touch ../../../{me}.started
for i in $(seq 100); do [ -e ../../../{other}.started ] && exit 0; sleep 0.1; done
echo "{other} never started while {me} ran"; exit 1
"""


def test_two_functions_of_one_package_build_one_after_the_other(load, tmp_path):
    files = {f"packages/p/f{n}/build.sh": RACY_BUILD for n in range(3)}
    files.update({f"packages/p/f{n}/__main__.py": PY for n in range(3)})
    assert load(files).build_failures == {}
    assert not (tmp_path / "raced.txt").exists()
    events = (tmp_path / "events.txt").read_text().split("\n")
    starts_and_ends = [line.split()[0] for line in events if line]
    assert starts_and_ends == ["start", "end"] * 3


def test_functions_of_different_packages_build_side_by_side(load):
    files = {
        "packages/one/a/__main__.py": PY,
        "packages/one/a/build.sh": MEETS.format(me="a", other="b"),
        "packages/two/b/__main__.py": PY,
        "packages/two/b/build.sh": MEETS.format(me="b", other="a"),
    }
    assert load(files).build_failures == {}


MISSING_DIST = {
    "packages/p/fn/.include": "dist/\n",
    "packages/p/fn/index.js": "exports.main = () => ({})\n",
    # Exits 0, and makes dist/ only once `make-dist` exists.
    "packages/p/fn/build.sh": (
        "echo run >> ../../../runs.txt\n"
        "if [ -e ../../../make-dist ]; then mkdir -p dist && cp index.js dist/; fi\n"
    ),
}


def test_a_build_that_exits_0_without_its_included_output_has_failed(load, caplog):
    with caplog.at_level(logging.WARNING, logger="emulator.project.builds"):
        project = load(MISSING_DIST)
    assert project.build_failures == {
        "p/fn": "packages/p/fn/dist is included for 'packages/p/fn' but does not exist"
    }
    assert (
        "p/fn: build failed: it exited 0 but packages/p/fn/dist is included for "
        "'packages/p/fn' but does not exist; it is built again at the next start or file change"
    ) in caplog.messages


def test_a_build_without_its_output_is_not_cached_and_runs_again_at_the_next_start(
    load, tmp_path, caplog
):
    load(MISSING_DIST)
    with caplog.at_level(logging.INFO, logger="emulator.project.builds"):
        again = load({})
    assert "p/fn" in again.build_failures
    assert "p/fn: the last build failed; building it again" in caplog.messages
    assert (tmp_path / "runs.txt").read_text().split() == ["run", "run"]
    # Once the build makes its output, it succeeds, and the next start reuses it.
    (tmp_path / "make-dist").touch()
    assert load({}).build_failures == {}
    assert load({}).build_failures == {}
    assert (tmp_path / "runs.txt").read_text().split() == ["run"] * 3
