"""A forked worker never reuses its parent's pooled database connections."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from bot.db import Database
from bot.localstack import create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def kind_and_url(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'fork.db'}"
        return
    name = create_postgres_database()
    yield "postgres", f"postgresql://postgres@127.0.0.1:5432/{name}"
    drop_postgres_database(name)


def test_a_forked_child_opens_its_own_connection_and_the_parent_keeps_its_own(kind_and_url):
    kind, url = kind_and_url
    db = Database(url)
    with db.engine.connect() as connection:
        # Held, so that in the child its address cannot be reused by a new connection once the
        # pool has forgotten it (ids compared across the fork mean something only then).
        inherited = connection.connection.dbapi_connection
        parent = id(inherited)
        if kind == "postgres":
            parent_backend = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: must not touch the inherited connection
        try:
            with db.engine.connect() as connection:
                mine = id(connection.connection.dbapi_connection)
                backend = (
                    connection.execute(text("SELECT pg_backend_pid()")).scalar()
                    if kind == "postgres"
                    else 0
                )
            os.write(write, f"{mine} {backend}".encode())
        finally:
            os._exit(0)
    os.close(write)
    mine, backend = os.read(read, 100).decode().split()
    os.waitpid(child, 0)
    assert int(mine) != parent
    with db.engine.connect() as connection:
        assert id(connection.connection.dbapi_connection) == parent, "the parent's pool is intact"
        if kind == "postgres":
            assert int(backend) != parent_backend
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() == parent_backend
    db.dispose()
