"""Where an annotation run reads and writes: a local path or an fsspec URL
(s3://, gs://, abfs://, file://, ...), with fsspec's storage options.

A file is published whole or not at all: it is written to a temporary file
first, then moved into place, with a rename beside it on a local disk
(flushed to the disk first) and with one upload on an object store, whose
object appears only once the upload completes. A run that dies while
writing leaves no half-written file and the earlier one as it was."""

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import fsspec
from fsspec.implementations.local import LocalFileSystem

from nerkit.common.atomic_files import current_umask, fsync_folder
from nerkit.errors import NerkitError

# the packages that give fsspec a protocol, as requirements-storage.txt names them
EXTRAS = {"s3": "s3fs", "s3a": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "abfs": "adlfs", "az": "adlfs"}


@dataclass(frozen=True)
class Location:
    """A folder or file on a store, as fsspec sees it: the URL the user gave
    and the storage options that open it (JSON, so that it travels to Dask
    workers, which open it themselves)."""

    url: str
    options: Dict[str, Any] = field(default_factory=dict)

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        return filesystem(self.url, self.options)[0]

    @property
    def path(self) -> str:
        return filesystem(self.url, self.options)[1]

    @property
    def is_local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def child(self, name: str) -> str:
        """The path of `name` (a relative posix path) under this folder."""
        return f"{self.path.rstrip('/')}/{name}"

    def exists(self, name: str) -> bool:
        return self.fs.exists(self.child(name))

    def read_text(self, name: str) -> Optional[str]:
        """The file's text, or None where there is no such file."""
        try:
            return self.fs.cat_file(self.child(name)).decode("utf8")
        except FileNotFoundError:
            return None

    def remove(self, name: str) -> None:
        try:
            self.fs.rm_file(self.child(name))
        except FileNotFoundError:
            pass

    def write_text(self, name: str, text: str) -> None:
        """Publish a small text file whole."""
        staged = StagedFile(self, name)
        try:
            staged.file.write(text.encode("utf8"))
            staged.commit()
        finally:
            staged.discard()


def filesystem(url: str, options: Dict[str, Any]):
    """fsspec's filesystem and path for a URL; a protocol whose package is
    missing is a NerkitError that names the package to install."""
    try:
        return fsspec.url_to_fs(url, **options)
    except ImportError as err:
        protocol = url.split("://", 1)[0] if "://" in url else "file"
        package = EXTRAS.get(protocol, f"the fsspec package for {protocol}://")
        raise NerkitError(
            f"{url}: reading {protocol}:// needs {package} (pip install -r requirements-storage.txt): {err}"
        ) from None
    except ValueError as err:  # an unknown protocol
        raise NerkitError(f"{url}: {err}") from None


def same_place(first: Location, second: Location) -> Optional[str]:
    """How one location contains the other on the same store ("is", "lies
    inside", "holds"; first relative to second), or None where they are apart."""
    if type(first.fs) is not type(second.fs):
        return None
    if first.is_local:
        a, b = Path(first.path).resolve(), Path(second.path).resolve()
        return "is" if a == b else "lies inside" if b in a.parents else "holds" if a in b.parents else None
    a, b = first.path.rstrip("/"), second.path.rstrip("/")
    return "is" if a == b else "lies inside" if a.startswith(b + "/") else "holds" if b.startswith(a + "/") else None


class StagedFile:
    """A file written to a temporary file and published under `name` in a
    folder by `commit()`; `discard()` (also after a commit) removes what
    is left of the temporary file."""

    def __init__(self, folder: Location, name: str):
        self.folder, self.name = folder, name
        self.target = folder.child(name)
        if folder.is_local:  # beside its target, so that the rename is atomic
            Path(self.target).parent.mkdir(parents=True, exist_ok=True)
            directory = str(Path(self.target).parent)
        else:
            directory = None
        fd, self.tmp_name = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".tmp", dir=directory)
        self.file = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        if self.folder.is_local:
            os.chmod(self.tmp_name, 0o666 & ~current_umask())  # mkstemp's 0600 made the usual mode
            os.replace(self.tmp_name, self.target)
            fsync_folder(Path(self.target).parent)
        else:
            self.folder.fs.put_file(self.tmp_name, self.target)

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        Path(self.tmp_name).unlink(missing_ok=True)


def list_files(location: Location, suffixes: tuple) -> List[Dict[str, Any]]:
    """The files with these suffixes at a location: the file itself, or
    every one under the folder, in a stable order, each with `name` (its
    path under the folder; the file's own name for a file), `path`,
    `size` and `modified` (what changes when the file is written again)."""
    fs, path = location.fs, location.path
    try:
        info = fs.info(path)
        found = fs.find(path, detail=True) if info["type"] == "directory" else {}
    except FileNotFoundError:
        raise NerkitError(f"{location.url}: no such file or folder") from None
    except OSError as err:  # refused, unreachable
        raise NerkitError(f"{location.url}: cannot be listed: {type(err).__name__}: {err}") from None
    if info["type"] == "directory":
        files = sorted(
            (entry for entry in found.values() if entry["type"] == "file" and entry["name"].endswith(suffixes)),
            key=lambda entry: entry["name"],
        )
        if not files:
            raise NerkitError(f"{location.url}: no {', '.join(suffixes)} files in this folder")
        root = path.rstrip("/") + "/"
        return [_described(entry, _relative(fs, entry["name"], root)) for entry in files]
    if not info["name"].endswith(suffixes):
        raise NerkitError(f"{location.url}: expected one of {', '.join(suffixes)}")
    return [_described(info, info["name"].rsplit("/", 1)[-1])]


def _relative(fs, name: str, root: str) -> str:
    name, root = fs._strip_protocol(name), fs._strip_protocol(root).rstrip("/") + "/"
    return name[len(root) :] if name.startswith(root) else name


def _described(info: Dict[str, Any], name: str) -> Dict[str, Any]:
    modified = next(
        (info[key] for key in ("ETag", "etag", "mtime", "LastModified", "last_modified", "updated") if info.get(key)),
        None,
    )
    return {"name": name, "path": info["name"], "size": int(info["size"]), "modified": str(modified)}
