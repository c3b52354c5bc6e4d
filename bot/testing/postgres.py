"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and the benchmarks.

`python -m bot.testing.postgres start` prints shell `export` lines (the URL and the folder);
`python -m bot.testing.postgres stop FOLDER` stops the server and deletes the folder. The
server listens on a free loopback port, keeps its socket and files in the folder, and runs
without durability (fsync off): it is for tests only. As root, initdb and pg_ctl run as the
`postgres` user, which owns the folder.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

URL_VARIABLE = "TROLY06_TEST_PG_URL"
DIR_VARIABLE = "TROLY06_TEST_PG_DIR"
SKIP_VARIABLE = "TROLY06_TEST_PG_SKIP"


class Unavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def find_bindir() -> Path:
    """The folder with initdb and pg_ctl: TROLY06_PG_BINDIR, Debian's newest, or the PATH."""
    if configured := os.environ.get("TROLY06_PG_BINDIR"):
        return Path(configured)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if debian:
        return Path(debian[-1]).parent
    if found := shutil.which("initdb"):
        return Path(found).parent
    raise Unavailable("no initdb found (install the postgresql package)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.folder / "data"


def _as_owner(args: list[str]) -> list[str]:
    """Run as `postgres` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return args
    if not shutil.which("runuser"):
        raise Unavailable("running as root without runuser to become postgres")
    return ["runuser", "-u", "postgres", "--", *args]


def start(max_connections: int = 200) -> Cluster:
    """initdb and start a server in a new temporary folder; raise Unavailable if impossible."""
    bindir = find_bindir()
    folder = Path(tempfile.mkdtemp(prefix="troly06-pg-"))
    try:
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError as error:
                raise Unavailable("running as root and there is no postgres user") from error
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        cluster = Cluster(folder, free_port())
        _run(
            _as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(cluster.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={cluster.port}",
                f"-c unix_socket_directories={folder}",
                f"-c max_connections={max_connections}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c shared_buffers=128MB",
            ]
        )
        _run(
            _as_owner(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(cluster.data),
                    "-l",
                    str(folder / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            )
        )
        return cluster
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def stop(folder: Path) -> None:
    """Stop the server in `folder` (if it runs) and delete the folder."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        with contextlib.suppress(Unavailable, subprocess.CalledProcessError):
            bindir = find_bindir()
            _run(_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]))
    shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def throwaway(max_connections: int = 200) -> Iterator[Cluster]:
    cluster = start(max_connections)
    try:
        yield cluster
    finally:
        stop(cluster.folder)


def _run(args: list[str]) -> None:
    try:
        subprocess.run(args, check=True, capture_output=True, text=True, timeout=120)
    except FileNotFoundError as error:
        raise Unavailable(f"cannot run {args[0]}: {error}") from error
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or error.stdout or "").strip().splitlines()[-1:]
        raise Unavailable(f"{Path(args[-1]).name} failed: {' '.join(detail)}") from error


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        try:
            cluster = start()
        except Unavailable as error:
            sys.stdout.write(f"export {SKIP_VARIABLE}={shlex.quote(str(error))}\n")
            return 0
        sys.stdout.write(f"export {URL_VARIABLE}={shlex.quote(cluster.url)}\n")
        sys.stdout.write(f"export {DIR_VARIABLE}={shlex.quote(str(cluster.folder))}\n")
        return 0
    if argv[:1] == ["stop"] and len(argv) == 2:
        stop(Path(argv[1]))
        return 0
    sys.stderr.write("usage: python -m bot.testing.postgres start | stop FOLDER\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
