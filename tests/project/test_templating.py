"""Substitution in project.yml's text, before it is parsed."""

from __future__ import annotations

import json

import pytest

from emulator.project.templating import DEPRECATED_BRACES

FUNCTION = {"packages/p/f.py": "def main(args):\n    return args\n"}


def with_parameters(parameters: str, **files: str) -> dict[str, str]:
    """A project whose function `p/f` has `parameters: <parameters>`."""
    yml = f"""\
        packages:
          - name: p
            functions:
              - name: f
                parameters: {parameters}
        """
    return {"project.yml": yml, **FUNCTION, **files}


def parameters_of(project) -> dict[str, object]:
    (action,) = project.actions
    return {p.key: p.value for p in action.parameters}


def test_a_variable_comes_from_the_process_environment_before_the_env_file(load):
    files = with_parameters('{greeting: "${GREETING}"}', **{".env": "GREETING=from file\n"})
    project = load(files, environ={"GREETING": "from environment"})
    assert parameters_of(project) == {"greeting": "from environment"}


def test_a_variable_missing_from_the_environment_comes_from_the_env_file(load):
    files = with_parameters('{greeting: "${GREETING}"}', **{".env": "GREETING=from file\n"})
    assert parameters_of(load(files)) == {"greeting": "from file"}


def test_an_empty_environment_variable_falls_through_to_the_env_file(load):
    files = with_parameters('{greeting: "${GREETING}"}', **{".env": "GREETING=from file\n"})
    assert parameters_of(load(files, environ={"GREETING": ""})) == {"greeting": "from file"}


def test_whitespace_around_a_name_is_ignored(load):
    project = load(with_parameters('{greeting: "${  GREETING }"}'), environ={"GREETING": "hi"})
    assert parameters_of(project) == {"greeting": "hi"}


def test_a_newline_in_a_value_becomes_backslash_n(load):
    files = with_parameters("{quoted: \"${TEXT}\", single: '${TEXT}'}")
    project = load(files, environ={"TEXT": "one\ntwo"})
    assert parameters_of(project) == {"quoted": "one\ntwo", "single": "one\\ntwo"}


def test_a_bar_inserts_the_value_without_escaping_newlines(load):
    project = load(with_parameters('{folded: "${|TEXT}"}'), environ={"TEXT": "one\ntwo"})
    # The raw newline lands inside a double-quoted YAML string, which folds it to a space.
    assert parameters_of(project) == {"folded": "one two"}


def test_parentheses_substitute_a_dictionary_of_the_names(load):
    project = load(with_parameters("$(A B)"), environ={"A": "1", "B": "two"})
    assert parameters_of(project) == {"A": "1", "B": "two"}
    assert project.warnings == ()


def test_braces_around_several_names_work_but_are_deprecated(load):
    project = load(with_parameters("${A B}"), environ={"A": "1", "B": "two"})
    assert parameters_of(project) == {"A": "1", "B": "two"}
    assert project.warnings == (DEPRECATED_BRACES,)
    assert (
        DEPRECATED_BRACES == "Using '${}' for dictionary substitution is now deprecated; use '$()'"
    )


def test_a_file_reference_inserts_the_json_object_of_the_file(load):
    files = with_parameters("${<config/params.json}", **{"config/params.json": '{"n": 1}'})
    assert parameters_of(load(files)) == {"n": 1}


def test_a_file_reference_reads_a_dotenv_file_as_an_object(load):
    files = with_parameters("${<settings.env}", **{"settings.env": "A=1\nB='two words'\n"})
    assert parameters_of(load(files)) == {"A": "1", "B": "two words"}


def test_a_bare_dollar_name_is_not_substituted(load):
    project = load(with_parameters('{home: "$HOME"}'), environ={"HOME": "/root"})
    assert parameters_of(project) == {"home": "$HOME"}


def test_substituted_text_is_not_substituted_again(load):
    project = load(with_parameters('{a: "${A}"}'), environ={"A": "${B}", "B": "no"})
    assert parameters_of(project) == {"a": "${B}"}


def test_an_unterminated_symbol_is_a_runaway(refused):
    error = refused(with_parameters('"${A"'))
    assert error.problem == "Runaway variable name or path directive in project.yml"
    assert error.key_path is None


def test_unresolved_and_empty_names_are_reported_together(refused):
    files = with_parameters('{a: "${A}", b: "${B}", c: "${<missing.json}", d: $(D E)}')
    error = refused(files, environ={"B": "", "E": "e"})
    assert error.problem == (
        "The following substitutions could not be resolved: 'A', 'B', '<missing.json', 'D'"
    )
    assert error.key_path is None


def test_an_empty_property_in_the_env_file_is_unresolved(refused):
    error = refused(with_parameters('{a: "${A}"}', **{".env": "A=\n"}))
    assert error.problem == "The following substitutions could not be resolved: 'A'"


def test_an_explicit_env_file_replaces_the_project_env_file(load, tmp_path):
    other = tmp_path / "elsewhere.env"
    other.write_text("GREETING=explicit\n")
    files = with_parameters('{g: "${GREETING}"}', **{".env": "GREETING=project\n"})
    assert parameters_of(load(files, env_file=other)) == {"g": "explicit"}


def test_a_missing_explicit_env_file_is_refused(refused, tmp_path):
    missing = tmp_path / "nope.env"
    error = refused(with_parameters("{}"), env_file=missing)
    assert error.problem == f"The specified environment file '{missing}' does not exist"
    assert error.key_path is None


def test_an_env_file_that_is_json_is_read_as_json(load):
    env = json.dumps({"N": 5, "S": "text"})
    project = load(with_parameters('{n: ${N}, s: "${S}"}', **{".env": env}))
    assert parameters_of(project) == {"n": 5, "s": "text"}


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("A=plain", "plain"),
        ("A = spaced  ", "spaced"),
        ("export A=exported", "exported"),
        ("A='single # quoted'", "single # quoted"),
        ('A="double\\nline"', "double\\nline"),  # YAML then reads the escaped newline
        ("A=value # comment", "value"),
    ],
    ids=["plain", "spaced", "export", "single-quoted", "double-quoted", "comment"],
)
def test_the_env_file_is_read_with_dotenv_rules(load, line, value):
    files = with_parameters('{a: "${A}"}', **{".env": f"# a comment\n\n{line}\n"})
    expected = value.replace("\\n", "\n")
    assert parameters_of(load(files)) == {"a": expected}


def test_the_env_file_only_feeds_substitution(load):
    project = load(with_parameters("{}", **{".env": "SECRET=s3cret\n"}))
    assert parameters_of(project) == {}
