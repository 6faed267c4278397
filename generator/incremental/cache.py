"""The persistent build cache in <site>/.berita-cache/: what earlier builds already did.

One SQLite file holds these tables:

- `parsed`: an article file's bytes (by hash) -> its Article with the HTML and summary
  of its Markdown, its problems, and what markup found (images, links, scripts);
- `memo`: the last result of a site-wide computation (e.g. related articles) by name,
  with the key of its inputs;
- `pages`: for each output folder, each file's fingerprint (a hash of everything its
  bytes were made from) and the size, mtime and inode it had when written (and, in
  `memo`, one hash of all those sizes, mtimes and inodes: `listing_digest`);
- `recipes`: for each output folder, each page as it was planned, with its articles by
  reference (quick.py), by file and fingerprint;
- `builds`: the inputs of the last build into each output folder, and what it reported.

Every key includes `code_key` (a hash of the generator's own source and version) and,
where it matters, `config_key` (site.toml and the base URL), so a cache written by
another version or for other settings is never used. The folder is safe to delete; a
cache that cannot be read (corrupt, locked, another schema) is discarded and the build
goes on without it: a cache may make a build slower, never wrong.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from generator import __version__

CACHE_DIR = ".berita-cache"
CACHE_FILE = "build.sqlite"
SCHEMA = 5
PAGE_SIZE = 16384
_SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE parsed (path TEXT NOT NULL, digest TEXT NOT NULL, config_key TEXT NOT NULL,
                     value BLOB NOT NULL, PRIMARY KEY (path, config_key));
CREATE TABLE pages (output TEXT NOT NULL, file TEXT NOT NULL, fingerprint TEXT NOT NULL,
                    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
                    PRIMARY KEY (output, file));
CREATE TABLE builds (output TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, summary BLOB);
CREATE TABLE memo (name TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE recipes (output TEXT NOT NULL, file TEXT NOT NULL, fingerprint TEXT NOT NULL,
                      value BLOB NOT NULL, PRIMARY KEY (output, file, fingerprint));
"""


def digest(*parts: bytes | str) -> str:
    """A short, stable hash of the parts (length-prefixed, so parts cannot run together)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@cache
def code_key() -> str:
    """Hash of the generator's version and every source file of the package: a cache
    written by other code (even an unreleased edit) is never trusted."""
    package = Path(__file__).parent.parent
    parts: list[bytes | str] = [__version__, str(SCHEMA)]
    for source in sorted(package.rglob("*.py")):
        parts += [source.relative_to(package).as_posix(), source.read_bytes()]
    return digest(*parts)


def folder_key(folders: Iterable[Path]) -> str:
    """Hash of the names and bytes of every file under the folders (templates, static)."""
    parts: list[bytes | str] = []
    for number, folder in enumerate(folders):
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                parts += [str(number), file.relative_to(folder).as_posix(), file.read_bytes()]
    return digest(*parts)


LISTING_MEMO = "listing "


def listing_digest(files: Iterable[tuple[str, tuple[int, int, int]]]) -> str:
    """A hash of (file, (size, mtime_ns, inode)) of every file of an output folder (as
    spare.listing gives them), in any order."""
    lines = sorted(f"{file}\x1f{size}\x1f{mtime_ns}\x1f{inode}"
                   for file, (size, mtime_ns, inode) in files)
    return hashlib.blake2b("\n".join(lines).encode("utf-8", "surrogateescape"),
                           digest_size=16).hexdigest()


class Written(NamedTuple):
    """What the manifest remembers of one output file (a tuple: there are tens of
    thousands of them, made and compared on every build)."""

    fingerprint: str
    size: int
    mtime_ns: int
    inode: int


class BuildCache:
    """The cache of one site; `BuildCache.disabled()` remembers nothing."""

    def __init__(self, db: sqlite3.Connection | None, file: Path | None = None) -> None:
        self.db = db
        self.file = file
        """The database file, for worker processes to open their own connection."""

    @classmethod
    def open(cls, root: Path) -> BuildCache:
        """Opens (or creates) the cache of the site in `root`; on any trouble a fresh one,
        and if even that fails a disabled one."""
        folder = root / CACHE_DIR
        for attempt in range(2):
            try:
                folder.mkdir(exist_ok=True)
                db = sqlite3.connect(folder / CACHE_FILE, isolation_level=None)
                # For a new file only: its rows (an article, a page's recipe) are about 2 KB,
                # of which a 4 KB page holds one, with the rest unused; 16 KB pages hold
                # seven, and writing a cold build's cache takes half the time.
                db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                tables = {row[0] for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'")}
                if not tables:
                    db.executescript(_SCHEMA_SQL)
                    db.execute("INSERT INTO meta VALUES ('code', ?)", (code_key(),))
                    return cls(db, folder / CACHE_FILE)
                row = db.execute("SELECT value FROM meta WHERE key='code'").fetchone()
                if row is not None and row[0] == code_key():
                    return cls(db, folder / CACHE_FILE)
                db.close()
            except (sqlite3.Error, OSError):
                pass
            if attempt == 0:
                _remove(folder / CACHE_FILE)
        return cls.disabled()

    @classmethod
    def disabled(cls) -> BuildCache:
        return cls(None)

    @classmethod
    def reopen(cls, file: Path | None) -> BuildCache:
        """Another connection to a cache `open` checked (a forked worker may not use its
        parent's); disabled if there is none or it cannot be opened."""
        if file is None:
            return cls.disabled()
        try:
            # Workers write in turns: wait for the other's transaction, never fail on it.
            return cls(sqlite3.connect(file, timeout=60, isolation_level=None), file)
        except sqlite3.Error:
            return cls.disabled()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def _guard(self, action: Any, default: Any = None) -> Any:
        """Runs one cache action; a failing cache is switched off, never fatal."""
        if self.db is None:
            return default
        try:
            return action(self.db)
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, TypeError,
                ValueError, ImportError):
            self.close()
            return default

    # parsed articles ---------------------------------------------------------------

    def parsed(self, config_key: str) -> dict[str, tuple[str, bytes]]:
        """path -> (digest of the file, pickled parse result) for this configuration."""
        return self._guard(lambda db: {
            path: (file_digest, value) for path, file_digest, value in db.execute(
                "SELECT path, digest, value FROM parsed WHERE config_key=?", (config_key,))
        }, {})

    def store_parsed(self, config_key: str, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Stores (path, digest of the file, pickled parse result) rows."""
        self._guard(lambda db: _write(db,
            "INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)",
            ((path, file_digest, config_key, value) for path, file_digest, value in rows)))

    def parsed_entries(self, config_key: str, paths: Iterable[str]
                       ) -> dict[str, tuple[str, bytes]]:
        """`parsed`, for these paths only."""
        def select(db: sqlite3.Connection) -> dict[str, tuple[str, bytes]]:
            found = {}
            for path in paths:
                row = db.execute("SELECT digest, value FROM parsed WHERE path=? AND "
                                 "config_key=?", (path, config_key)).fetchone()
                if row is not None:
                    found[path] = (row[0], row[1])
            return found
        return self._guard(select, {})

    def forget_parsed(self, config_key: str, keep: set[str]) -> None:
        """Drops entries of files that no longer exist, so the cache does not grow forever."""
        def forget(db: sqlite3.Connection) -> None:
            gone = [(path, config_key) for (path,) in db.execute(
                "SELECT path FROM parsed WHERE config_key=?", (config_key,)) if path not in keep]
            _write(db, "DELETE FROM parsed WHERE path=? AND config_key=?", gone)
            db.execute("DELETE FROM parsed WHERE config_key<>?", (config_key,))
        self._guard(forget)

    # site-wide results -----------------------------------------------------------------

    def recall(self, name: str, key: str) -> Any:
        """The value stored under `name` if it was computed from inputs with this key."""
        row = self._guard(lambda db: db.execute(
            "SELECT value FROM memo WHERE name=? AND key=?", (name, key)).fetchone())
        return None if row is None else self._guard(lambda db: pickle.loads(row[0]))

    def memorize(self, name: str, key: str, value: Any) -> bool:
        """Keeps only the newest value of each name: the cache does not grow. False when
        the value could not be kept."""
        return self._guard(lambda db: db.execute(
            "INSERT OR REPLACE INTO memo VALUES (?, ?, ?)",
            (name, key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))) is not None, False)

    # the output manifest ------------------------------------------------------------------

    def manifest(self, output: Path) -> dict[str, Written]:
        return self._guard(lambda db: {
            file: Written(fingerprint, size, mtime_ns, inode)
            for file, fingerprint, size, mtime_ns, inode in db.execute(
                "SELECT file, fingerprint, size, mtime_ns, inode FROM pages WHERE output=?",
                (str(output),))
        }, {})

    def store_manifest(self, output: Path, files: dict[str, Written],
                       previous: dict[str, Written] | None = None) -> None:
        """Replaces the manifest of `output` (`previous`: the manifest as stored now, so
        that only the rows that differ are written); forgets its last build (see
        `remember`)."""
        name = str(output)

        def store(db: sqlite3.Connection) -> None:
            db.execute("BEGIN")
            db.execute("DELETE FROM builds WHERE output=?", (name,))
            if previous is None:
                db.execute("DELETE FROM pages WHERE output=?", (name,))
                changed = files.items()
            else:
                db.executemany("DELETE FROM pages WHERE output=? AND file=?",
                               ((name, file) for file in previous.keys() - files.keys()))
                changed = [(f, w) for f, w in files.items() if previous.get(f) != w]
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)", (
                (name, file, *written) for file, written in changed))
            db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)", (
                LISTING_MEMO + name, listing_digest(
                    (file, (w.size, w.mtime_ns, w.inode)) for file, w in files.items()), b""))
            db.execute("COMMIT")
        self._guard(store)

    def listing(self, output: Path) -> str | None:
        """listing_digest of the manifest of `output`: what a no-op build compares the
        output folder with, without loading the manifest."""
        row = self._guard(lambda db: db.execute(
            "SELECT key FROM memo WHERE name=?", (LISTING_MEMO + str(output),)).fetchone())
        return None if row is None else row[0]

    def store_recipes(self, output: Path, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Stores (file, fingerprint, recipe) rows of `output` (see quick.py)."""
        name = str(output)
        self._guard(lambda db: _write(db, "INSERT OR REPLACE INTO recipes VALUES (?, ?, ?, ?)",
                                      ((name, *row) for row in rows)))

    def recipes(self, output: Path, files: Iterable[tuple[str, str]]) -> dict[str, bytes]:
        """The recipe of each (file, fingerprint) pair that has one, by file."""
        def select(db: sqlite3.Connection) -> dict[str, bytes]:
            found = {}
            for file, fingerprint in files:
                row = db.execute("SELECT value FROM recipes WHERE output=? AND file=? AND "
                                 "fingerprint=?", (str(output), file, fingerprint)).fetchone()
                if row is not None:
                    found[file] = row[0]
            return found
        return self._guard(select, {})

    def prune_recipes(self, output: Path) -> None:
        """Drops the recipes of files the manifest no longer holds with that fingerprint."""
        self._guard(lambda db: db.execute(
            "DELETE FROM recipes WHERE output=? AND NOT EXISTS (SELECT 1 FROM pages WHERE "
            "pages.output=recipes.output AND pages.file=recipes.file AND "
            "pages.fingerprint=recipes.fingerprint)", (str(output),)))

    def remember(self, output: Path, inputs: str, summary: Any) -> None:
        """Records that `output` was built from inputs hashing to `inputs`."""
        self._guard(lambda db: db.execute(
            "INSERT OR REPLACE INTO builds VALUES (?, ?, ?)",
            (str(output), inputs, pickle.dumps(summary, pickle.HIGHEST_PROTOCOL))))

    def last_build(self, output: Path, inputs: str) -> Any:
        """The summary remembered for `output` if it was built from these inputs."""
        row = self._guard(lambda db: db.execute(
            "SELECT summary FROM builds WHERE output=? AND fingerprint=?",
            (str(output), inputs)).fetchone())
        return None if row is None else self._guard(lambda db: pickle.loads(row[0]))


def _write(db: sqlite3.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    db.execute("BEGIN")
    try:
        db.executemany(sql, rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _remove(file: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            file.with_name(file.name + suffix).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            return
