"""The errors a user sees: bad input or settings, each with the message that
says what is wrong and where; and the one way a command turns them into its
exit status. The library raises them; only `exit_on_error` knows a command
line exists (no CLI framework is imported here)."""

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class NerkitError(ValueError):
    """Bad input or settings: the message is what the user reads."""


class CorpusError(NerkitError):
    """Bad corpus input, with the file and line it was found at (0: the whole file)."""

    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")


class OptionError(NerkitError):
    """A command's option or argument whose value cannot be used (a usage error)."""


# exit statuses: an error of the input or the run, and a usage error (as click's)
INPUT_ERROR_STATUS = 1
USAGE_ERROR_STATUS = 2


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Around a command's work: a NerkitError ends the process with its
    message on one unwrapped line of stderr and exit status 2 for a usage
    error, 1 for any other; every other exception goes on as it is."""
    try:
        yield
    except NerkitError as error:
        print(f"✘ {error}", file=sys.stderr)
        raise SystemExit(USAGE_ERROR_STATUS if isinstance(error, OptionError) else INPUT_ERROR_STATUS) from None
