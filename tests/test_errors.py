"""nerkit/errors.py: a user's error ends a command with its message on one
line of stderr, exit status 2 for a usage error and 1 for any other; other
exceptions pass through."""

import pytest

from nerkit.errors import CorpusError, NerkitError, OptionError, exit_on_error


@pytest.mark.parametrize(
    "error,status",
    [
        (OptionError("unknown text variants x"), 2),
        (NerkitError("no such folder"), 1),
        (CorpusError("c.tsv", 3, "bad"), 1),
    ],
)
def test_a_users_error_exits_with_its_message_and_status(capsys, error, status):
    with pytest.raises(SystemExit) as exit:
        with exit_on_error():
            raise error
    assert exit.value.code == status
    assert capsys.readouterr().err == f"✘ {error}\n"


def test_the_corpus_error_names_file_and_line_and_other_errors_pass_through():
    assert str(CorpusError("c.tsv", 3, "bad label")) == "c.tsv:3: bad label"
    with pytest.raises(KeyError):
        with exit_on_error():
            raise KeyError("a bug is not a user's error")
