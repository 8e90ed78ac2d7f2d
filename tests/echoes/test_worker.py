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
