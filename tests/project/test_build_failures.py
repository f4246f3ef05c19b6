"""A failed build's one-line hint, read from the output the build printed (as real tools print
it when a program is missing or the network is out of reach)."""

from __future__ import annotations

import pytest

from emulator.namespace.entities import BuildFailure
from emulator.project.build_failures import diagnosed, hint_for

OFFLINE = (
    "which is out of reach: build once online, and the build is reused until its sources change"
)


@pytest.mark.parametrize(
    ("tag", "line", "hint"),
    [
        (
            "./build.sh",
            "./build.sh: line 5: virtualenv: command not found",
            "build.sh needs virtualenv, which is not installed: pip install virtualenv",
        ),
        (
            "./build.sh",
            "./build.sh: line 3: exec: composer: not found",
            "build.sh needs composer, which is not installed: install Composer "
            "(https://getcomposer.org/)",
        ),
        (
            "npm install",
            "sh: 1: tsc: not found",
            "npm run build needs tsc, which is not installed: "
            "add typescript to the devDependencies in package.json",
        ),
        (
            "npm install",
            "bash: line 1: npm: command not found",
            "npm install needs npm, which is not installed: "
            "install Node.js with npm (https://nodejs.org/)",
        ),
        (
            "./build.sh",
            "zsh: command not found: yarn",
            "build.sh needs yarn, which is not installed: npm install --global yarn",
        ),
        (
            "./build.sh",
            "/usr/bin/env: ‘node’: No such file or directory",
            "build.sh needs node, which is not installed: "
            "install Node.js with npm (https://nodejs.org/)",
        ),
        (
            "./build.sh",
            "pyenv: python3.9: command not found",
            "build.sh needs python3.9, which is not installed: install Python 3.9 "
            "(pyenv install 3.9, or https://www.python.org/downloads/), "
            "or write the build for the Python you have",
        ),
        (
            "./build.sh",
            "./build.sh: line 2: ./node_modules/.bin/webpack: No such file or directory",
            None,
        ),
        (
            "./build.sh",
            "./build.sh: line 7: zip: command not found",
            "build.sh needs zip, which is not installed: install zip, or start the emulator "
            "with it on PATH",
        ),
    ],
)
def test_a_missing_program_is_named_with_how_to_install_it(tag, line, hint):
    assert hint_for(tag, ["building", line]) == hint


@pytest.mark.parametrize(
    ("tag", "output", "what"),
    [
        (
            "npm install",
            [
                "npm error code ENOTFOUND",
                "npm error syscall getaddrinfo",
                "npm error network request to https://registry.npmjs.org/typescript failed, "
                "reason: getaddrinfo ENOTFOUND registry.npmjs.org",
            ],
            "npm could not reach the registry",
        ),
        ("npm install", ["npm ERR! code EAI_AGAIN"], "npm could not reach the registry"),
        (
            "./build.sh",
            [
                "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, "
                "status=None)) after connection broken by 'NewConnectionError('<pip._vendor."
                "urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
                "connection: [Errno -3] Temporary failure in name resolution')': /simple/x/",
                "ERROR: Could not find a version that satisfies the requirement x (from "
                "versions: none)",
                "ERROR: No matching distribution found for x",
            ],
            "pip could not reach the package index",
        ),
        (
            "./build.sh",
            [
                "Loading composer repositories with package information",
                '    The "https://repo.packagist.org/packages.json" file could not be '
                "downloaded: php_network_getaddresses: getaddrinfo for repo.packagist.org "
                "failed: Temporary failure in name resolution",
            ],
            "composer could not reach Packagist",
        ),
        (
            "./build.sh",
            [
                "curl error 6 while downloading https://repo.packagist.org/packages.json: "
                "Could not resolve host: repo.packagist.org"
            ],
            "composer could not reach Packagist",
        ),
        (
            "./build.sh",
            [
                "go: downloading github.com/google/uuid v1.6.0",
                'go: github.com/google/uuid@v1.6.0: Get "https://proxy.golang.org/github.com/'
                'google/uuid/@v/v1.6.0.zip": dial tcp: lookup proxy.golang.org: no such host',
            ],
            "go could not download modules",
        ),
        (
            "./build.sh",
            ["curl: (6) Could not resolve host: example.com"],
            "a download could not reach its host",
        ),
    ],
)
def test_a_download_without_a_network_says_the_build_needs_one(tag, output, what):
    who = tag.removeprefix("./")
    assert hint_for(tag, output) == f"{who} needs the network ({what}), {OFFLINE}"


def test_pip_finding_no_distribution_without_a_connection_error_is_not_offline():
    output = ["ERROR: No matching distribution found for not-a-real-package-name"]
    assert hint_for("./build.sh", output) is None


def test_an_output_without_a_known_cause_points_to_the_output():
    failure = diagnosed(
        "'./build.sh' exited with code 2\nOutput of failed build in /p/fn:\nerror: bad input"
    )
    assert failure.hint == "'./build.sh' exited with code 2 (output above)"


def test_a_failure_that_is_not_an_exit_is_its_own_hint():
    problem = "packages/p/fn/dist is included for 'packages/p/fn' but does not exist"
    assert diagnosed(problem) == BuildFailure(problem, problem)


def test_the_hint_is_read_from_the_quoted_output_of_the_message():
    failure = diagnosed(
        "'./build.sh' exited with code 127\n"
        "Output of failed build in /p/fn (40 lines, some left out):\n"
        "[… 12 more lines …]\n"
        "./build.sh: line 14: composer: command not found\n"
    )
    assert failure.hint.startswith("build.sh needs composer, which is not installed")
