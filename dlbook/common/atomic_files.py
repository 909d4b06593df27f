"""Write a file so that it is either whole or not there: the data goes to a
temporary file beside it, which is then renamed into place. An interrupted
run never leaves a half-written file, nor replaces a good one."""

import os
import tempfile
from pathlib import Path
from typing import Union


def write_atomic(path: Path, data: Union[bytes, str]) -> None:
    """Write `data` (text as UTF-8) to `path`, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp_file:
            tmp_file.write(data.encode("utf8") if isinstance(data, str) else data)
        # mkstemp makes the file private (0600); give it the usual mode
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
