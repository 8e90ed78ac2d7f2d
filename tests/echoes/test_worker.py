"""The worker as a real process on a database file: killed with SIGKILL mid-run, restarted, nothing lost or doubled."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _manage(database, *args, **popen):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )


def _run(database, *args):
    process = _manage(database, *args)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output.decode()
    return output.decode()


def _embedded(database):
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT count(*) FILTER (WHERE embedding IS NOT NULL), count(*) FROM archive_passage"
        ).fetchone()


def test_a_worker_killed_mid_embedding_and_restarted_embeds_every_passage_exactly_once(tmp_path):
    from archive.text import embedding

    database = tmp_path / "worker.sqlite3"
    _run(database, "migrate", "--noinput", "-v0")
    _run(database, "load_seed")
    with sqlite3.connect(database) as db:
        # Every write of an embedding is logged by the database itself, whoever writes it.
        db.executescript(
            "CREATE TABLE embedding_writes (passage_id integer);"
            "CREATE TRIGGER embedding_written AFTER UPDATE OF embedding ON archive_passage "
            "WHEN NEW.embedding IS NOT NULL BEGIN INSERT INTO embedding_writes VALUES (NEW.id); END;"
        )
    worker = _manage(database, "echo_worker", "--interval", "0.2")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done, total = _embedded(database)
        if 0 < done < total:
            break
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    done, total = _embedded(database)
    assert 0 < done < total, "the worker was killed in the middle of embedding"
    output = _run(database, "echo_worker", "--batch", "--interval", "0.2")
    assert "Caught up" in output
    with sqlite3.connect(database) as db:
        writes = db.execute(
            "SELECT count(*), count(DISTINCT passage_id), max(n) FROM "
            "(SELECT passage_id, count(*) AS n FROM embedding_writes GROUP BY passage_id)"
        ).fetchone()
        models = db.execute("SELECT DISTINCT model_sha256 FROM archive_passage").fetchall()
        sizes = db.execute("SELECT DISTINCT length(embedding) FROM archive_passage").fetchall()
    assert _embedded(database) == (total, total)
    assert writes == (total, total, 1), "each passage embedded once, none twice"
    assert models == [(embedding.MODEL_SHA256,)]
    assert sizes == [(embedding.PACKED_SIZE,)]


def test_a_worker_killed_mid_run_and_restarted_leaves_every_document_indexed_and_scanned_once(tmp_path):
    database = tmp_path / "worker.sqlite3"
    _run(database, "migrate", "--noinput", "-v0")
    _run(database, "load_seed")
    worker = _manage(database, "echo_worker", "--interval", "0.2")
    time.sleep(3)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    output = _run(database, "echo_worker", "--batch", "--interval", "0.2")
    assert "Caught up" in output
    with sqlite3.connect(database) as db:
        documents = db.execute("SELECT count(*) FROM archive_document").fetchone()[0]
        duplicates = db.execute(
            'SELECT count(*) FROM (SELECT 1 FROM archive_passage GROUP BY document_id, start, "end" HAVING count(*) > 1)'
        ).fetchone()[0]
        stale = db.execute(
            "SELECT count(*) FROM archive_passage p JOIN archive_document d ON d.id = p.document_id "
            "WHERE p.version != d.version"
        ).fetchone()[0]
        scanned = db.execute(
            "SELECT count(*) FROM archive_echoscan s JOIN archive_document d ON d.id = s.document_id "
            "WHERE s.version = d.version"
        ).fetchone()[0]
        ready = db.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
        ).fetchone()[0]
        doubled = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM archive_echocandidate GROUP BY claim_id, document_id, text_sha256 "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
    assert documents == 5
    assert duplicates == 0 and stale == 0 and doubled == 0
    assert scanned == documents
    assert ready == 0
