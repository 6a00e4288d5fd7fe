"""What the client-library tests share: the real `credence` binary, run on a fresh database --
every test module runs twice, on a SQLite data directory and on a PostgreSQL database
(127.0.0.1:5432, made with `createdb`, dropped afterwards) -- and its operator commands."""

import os
import secrets
import shutil
import subprocess
import tempfile

import pytest

BIN = os.environ.get("CREDENCE_BIN", "target/debug/credence")
PASSWORD = "a long test passphrase\n"


def clean_env():
    """The environment without the developer's own CREDENCE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDENCE_")}
    env["CREDENCE_LOG"] = "warn"
    return env


def credence(database, *args, stdin=""):
    result = subprocess.run(
        [BIN, *database, *args],
        input=stdin, capture_output=True, text=True, env=clean_env(), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


PG = ["-h", "127.0.0.1", "-U", "postgres"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database(request):
    """The binary's flags for a fresh database: a SQLite data directory, or a PostgreSQL
    database created for these tests and dropped afterwards."""
    data_dir = tempfile.mkdtemp(prefix="credence-mastodon-py-")
    flags = ["--data-dir", data_dir]
    name = None
    if request.param == "postgres":
        name = f"credence_py_{os.getpid()}_{secrets.token_hex(4)}"
        subprocess.run(["createdb", *PG, name], check=True, timeout=60)
        flags += ["--database-url", f"postgres://postgres@127.0.0.1:5432/{name}"]
    yield flags
    if name:
        subprocess.run(["dropdb", *PG, "--force", name], check=True, timeout=60)
    shutil.rmtree(data_dir, ignore_errors=True)


def start_server(database, *flags):
    """Starts `serve` on a free loopback port (with any further `flags`); returns the process
    and its base URL."""
    proc = subprocess.Popen([BIN, *database, *flags, "serve", "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, text=True, env=clean_env())
    line = proc.stdout.readline()
    assert "serving at" in line, line
    return proc, line.strip().rsplit(" ", 1)[-1]
