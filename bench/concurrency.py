"""Concurrent writers against a real server: no errors, no lost updates, an audit trail that agrees.

    python bench/concurrency.py                      # SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/concurrency.py
                                                     # PostgreSQL: database margins_bench on
                                                     # that server, created and dropped here

1. Makes a fresh database (SQLite in a temporary directory, or the PostgreSQL
   database ``margins_bench``, never the one DATABASE_URL names), migrates it,
   creates an analyst, two people, a document and a few "hot" claims every
   writer fights over.
2. Starts a real server on a free port: gunicorn (gthread workers) when it is
   installed, else ``manage.py runserver --noreload``.
3. Runs N processes x M threads (default 2 x 20, 200 writes per process) of
   mixed creates, updates, moves and deletes through the JSON API, signed in
   with a session and sending the CSRF token, like the reader does. A writer
   sends the version it last saw; on 409 it re-reads the claim and tries again,
   as a client reloading the claim would.
4. Stops the server and checks, straight from the database:
   - errors: 5xx, unexpected statuses, network errors, writes given up;
   - lost updates: an acknowledged write that is not in the final state
     although no later acknowledged write touched the claim (e.g. a move
     acknowledged at version v whose span is not the final span), two writes
     acknowledged with the same version, or an acknowledged write whose event
     is missing or says something else;
   - audit mismatches: a claim whose row differs from the state rebuilt from
     its events (created, then each edit's changes, each move's new span...),
     whose versions do not count up 1, 2, 3... or which changed without one.
   All three must be 0.

``check`` is plain Python over plain data, so tests can feed it histories.
"""

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench-analyst"
PASSWORD = "bench-only-password-4f1c9a"  # noqa: S105 (a throw-away database)
BENCH_DATABASE = "margins_bench"
CONTEXT = 32  # characters of prefix/suffix, as archive.text.anchoring sends them
MAX_RETRIES = 60
TAGS = ["syria", "iran", "iraq", "border", "talks", "youth", "energy"]
KINDS = ["assertion", "accusation", "threat", "prediction", "denial", "admission", "other"]
STATUSES = ["unverified", "corroborated", "disputed", "refuted"]
VISIBILITIES = ["draft", "published"]
# What a write may answer besides success: 409 (retried after re-reading) and 404 (someone deleted it).
OPERATIONS = {"create": 0.2, "update": 0.4, "move": 0.25, "delete": 0.15}

# The fields compared between an acknowledged write, the events and the final row.
FIELDS = ("quote", "start", "end", "claimant", "kind", "status", "visibility", "note", "tags")
SELECTOR = ("quote", "start", "end")
STATE_ACTIONS = {"created", "edited", "moved", "reanchored", "orphaned", "deleted", "reverted"}


def document_text(sentences=300):
    return "".join(
        f"Sentence {n:03d} of the bench transcript reports a remark worth noting about item {n % 17}.\n"
        for n in range(sentences)
    )


# --- checking (plain data in, problems out) -----------------------------------------


def project(state):
    return {name: state.get(name) for name in FIELDS}


def _audit_claim(pk, events, row):
    """Problems of one claim's history against its row (``row`` None when it no longer exists)."""
    problems = []
    states = [e for e in events if e["action"] in STATE_ACTIONS]
    if not states:
        return [f"claim {pk}: the row has no history"] if row is not None else []
    if states[0]["action"] != "created" or states[0]["state"] is None:
        return [f"claim {pk}: the history does not start with a recorded creation"]
    versions = [e["claim_version"] for e in states]
    if versions != list(range(1, len(states) + 1)):
        problems.append(f"claim {pk}: event versions {versions} do not count up from 1")
    replay = project(states[0]["state"])
    snapshot = {k: states[0]["detail"].get(k) for k in FIELDS if k != "tags"}
    if snapshot != {k: replay[k] for k in snapshot}:
        problems.append(f"claim {pk}: the creation's detail and its state disagree")
    for previous, event in zip(states, states[1:], strict=False):
        where = f"claim {pk} version {event['claim_version']} ({event['action']})"
        if previous["action"] == "deleted":
            problems.append(f"{where}: an event after the deletion")
        action, detail = event["action"], event["detail"]
        if action in ("edited", "reverted"):
            for name, (old, new) in detail.get("changed", {}).items():
                if name in replay:
                    if replay[name] != old:
                        problems.append(
                            f"{where}: says {name} was {old!r}, the history says {replay[name]!r}"
                        )
                    replay[name] = new
        elif action in ("moved", "reanchored"):
            old = {k: detail["old"][k] for k in ("quote", "start", "end")}
            if old != {k: replay[k] for k in old}:
                problems.append(f"{where}: moved from {old}, the history says {replay['quote']!r}")
            replay.update({k: detail["new"][k] for k in ("quote", "start", "end")})
        elif action == "deleted":
            snapshot = {k: detail.get(k) for k in FIELDS if k != "tags"}
            if snapshot != {k: replay[k] for k in snapshot}:
                problems.append(f"{where}: the deleted claim is not the one the history built")
        if event["state"] is None or project(event["state"]) != replay:
            problems.append(f"{where}: its recorded state is not what its changes make")
    last = states[-1]
    if last["action"] == "deleted":
        if row is not None:
            problems.append(f"claim {pk}: deleted in its history but still in the database")
    elif row is None:
        problems.append(f"claim {pk}: gone from the database without a deletion event")
    elif row["version"] != last["claim_version"] or row["state"] != last["state"]:
        problems.append(
            f"claim {pk}: the row (version {row['version']}) differs from its last event "
            f"(version {last['claim_version']})"
        )
    return problems


def check(acks, rows, events):
    """Compare acknowledged writes, final rows and events. Returns ``{"lost": [...], "audit": [...]}``.

    ``acks``: ``{"claim", "version", "op", "state"}`` per acknowledged write (``state`` None for a
    delete, whose version is the one its deletion event carries). ``rows``: ``{pk: {"version",
    "state"}}`` for the claims that exist. ``events``: ``{"claim_pk", "action", "claim_version",
    "detail", "state"}`` in the order they were written.
    """
    lost, audit = [], []
    acks_by_claim = defaultdict(list)
    for ack in acks:
        acks_by_claim[ack["claim"]].append(ack)
    events_by_claim = defaultdict(list)
    for event in events:
        events_by_claim[event["claim_pk"]].append(event)

    for pk, claim_acks in acks_by_claim.items():
        by_version = defaultdict(list)
        for ack in claim_acks:
            by_version[ack["version"]].append(ack)
        for version, same in by_version.items():
            if len({json.dumps(a["state"], sort_keys=True) for a in same}) > 1:
                lost.append(f"claim {pk}: {len(same)} different writes acknowledged as version {version}")
        latest = max(claim_acks, key=lambda ack: ack["version"])
        row = rows.get(pk)
        if latest["op"] == "delete":
            if row is not None:
                lost.append(
                    f"claim {pk}: deletion acknowledged (version {latest['version']}) but it still exists"
                )
        elif row is None:
            lost.append(f"claim {pk}: {latest['op']} acknowledged at version {latest['version']}, claim gone")
        elif project(row["state"]) != project(latest["state"]):
            lost.append(
                f"claim {pk}: {latest['op']} acknowledged at version {latest['version']} is not the final "
                f"state (row at version {row['version']})"
            )
        # A write changes only what it means to: an update never the span, a move only the span.
        # When it leaves anything else different from the write acknowledged just before it, it
        # undid that write (a note edit from a stale page putting back the old span, say).
        ordered = sorted((a for a in claim_acks if a["state"] is not None), key=lambda a: a["version"])
        for before, after in zip(ordered, ordered[1:], strict=False):
            if after["version"] != before["version"] + 1:
                continue
            kept = [name for name in FIELDS if (name in SELECTOR) != (after["op"] == "move")]
            undone = [name for name in kept if before["state"][name] != after["state"][name]]
            if undone:
                lost.append(
                    f"claim {pk}: the {after['op']} acknowledged at version {after['version']} undid "
                    f"{', '.join(undone)} of the {before['op']} acknowledged at version {before['version']}"
                )
        recorded = {e["claim_version"]: e for e in events_by_claim[pk] if e["action"] in STATE_ACTIONS}
        for ack in claim_acks:
            event = recorded.get(ack["version"])
            if event is None:
                lost.append(
                    f"claim {pk}: no event for the {ack['op']} acknowledged at version {ack['version']}"
                )
            elif ack["op"] == "delete":
                if event["action"] != "deleted":
                    lost.append(
                        f"claim {pk}: deletion acknowledged as version {ack['version']}, event says {event['action']}"
                    )
            elif event["state"] is None or project(event["state"]) != project(ack["state"]):
                lost.append(
                    f"claim {pk}: the {ack['op']} acknowledged at version {ack['version']} is not what its event recorded"
                )

    for pk in set(events_by_claim) | set(rows):
        audit += _audit_claim(pk, events_by_claim.get(pk, []), rows.get(pk))
    return {"lost": lost, "audit": audit}


# --- HTTP clients (worker processes; no Django here) -------------------------------------


class Session:
    """Cookies (session and CSRF) shared by one process's threads; one connection per request."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}
        self.lock = threading.Lock()

    def request(self, method, path, body=None, headers=None, form=False):
        headers = dict(headers or {})
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method == "POST" and "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        data = None
        if body is not None:
            if form:
                data = urlencode(body).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
        headers["Connection"] = "close"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=180)
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(header)
                with self.lock:
                    for key, morsel in cookie.items():
                        self.cookies[key] = morsel.value
            return response.status, payload, response
        finally:
            connection.close()

    def login(self):
        self.request("GET", "/accounts/login/")
        status, body, _ = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
            form=True,
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in failed: {status} {body[:200]!r}")


def state_from(data):
    """A claim as the API shows it, in the state format of the events."""
    return {
        "quote": data["quote"],
        "start": data["start"],
        "end": data["end"],
        "claimant": data["claimant"] or None,
        "kind": data["kind"],
        "status": data["status"],
        "visibility": data["visibility"],
        "note": data["note"],
        "tags": sorted(t for t in data["tags"].split(", ") if t),
    }


class Writer:
    """One thread's writes; shares the process's pool of claims and last-seen versions."""

    def __init__(self, session, shared, rng, name, document):
        self.session, self.shared, self.rng, self.name = session, shared, rng, name
        self.slug, self.text, self.spans, self.people = (
            document["slug"],
            document["text"],
            document["spans"],
            document["people"],
        )
        self.acks, self.errors, self.counts = [], [], Counter()

    # -- what to write

    def selection(self):
        start, end = self.rng.choice(self.spans)
        if self.rng.random() < 0.5:  # part of the sentence
            end = start + self.rng.randint(8, end - start)
        return {
            "quote": self.text[start:end],
            "prefix": self.text[max(0, start - CONTEXT) : start],
            "suffix": self.text[end : end + CONTEXT],
            "start": start,
            "end": end,
        }

    def fields(self, n):
        return {
            "claimant": self.rng.choice([""] + self.people),
            "kind": self.rng.choice(KINDS),
            "status": self.rng.choice(STATUSES),
            "visibility": self.rng.choice(VISIBILITIES),
            "tags": ", ".join(self.rng.sample(TAGS, self.rng.randint(0, 3))),
            "note": f"Note {self.name}-{n}: written at {time.time():.6f}.",
        }

    # -- bookkeeping

    def error(self, op, status, body):
        self.errors.append(f"{op}: {status} {body[:300]!r}")

    def ack(self, claim, version, op, state):
        self.acks.append({"claim": claim, "version": version, "op": op, "state": state})
        self.counts[op] += 1
        with self.shared["lock"]:
            if op == "delete":
                self.shared["versions"].pop(claim, None)
                with contextlib.suppress(ValueError):
                    self.shared["pool"].remove(claim)
            else:
                self.shared["versions"][claim] = version
                if op == "create":
                    self.shared["pool"].append(claim)

    def forget(self, claim):
        self.counts["gone"] += 1
        with self.shared["lock"]:
            self.shared["versions"].pop(claim, None)
            with contextlib.suppress(ValueError):
                self.shared["pool"].remove(claim)

    def read(self, claim):
        """The claim's current version (re-reading as a client would), or None when it is gone."""
        status, body, _ = self.session.request("GET", f"/api/claims/{claim}/state/")
        if status == 200:
            return json.loads(body)["claim"]["version"]
        if status != 404:
            self.error("read", status, body)
        return None

    # -- the writes

    def create(self, n):
        payload = {**self.selection(), **self.fields(n)}
        status, body, _ = self.session.request("POST", f"/api/documents/{self.slug}/claims/", payload)
        if status != 201:
            return self.error("create", status, body)
        data = json.loads(body)
        self.ack(data["id"], data["version"], "create", state_from(data["claim"]))

    def change(self, op, claim, n):
        url = {"update": f"/api/claims/{claim}/", "move": f"/api/claims/{claim}/move/"}.get(
            op, f"/api/claims/{claim}/delete/"
        )
        payload = {"update": self.fields, "move": lambda _n: self.selection()}.get(op, lambda _n: {})(n)
        with self.shared["lock"]:
            version = self.shared["versions"].get(claim)
        if version is None:
            version = self.read(claim)
        for _attempt in range(MAX_RETRIES):
            if version is None:
                return self.forget(claim)
            headers = {}
            if self.rng.random() < 0.3:
                headers["If-Match"] = f'"{version}"'
                body = payload
            else:
                body = {**payload, "version": version}
            status, raw, _ = self.session.request("POST", url, body, headers)
            if status == 200:
                data = json.loads(raw)
                if op == "delete":
                    return self.ack(claim, version + 1, op, None)
                return self.ack(claim, data["version"], op, state_from(data["claim"]))
            if status == 409:
                self.counts["conflicts"] += 1
                version = self.read(claim)
                continue
            if status == 404:
                return self.forget(claim)
            return self.error(op, status, raw)
        self.error(op, "gave up", f"claim {claim}: still conflicting after {MAX_RETRIES} tries".encode())

    def run(self, writes):
        for n in range(writes):
            op = self.rng.choices(list(OPERATIONS), weights=list(OPERATIONS.values()))[0]
            with self.shared["lock"]:
                hot, own = list(self.shared["hot"]), list(self.shared["pool"])
            if op == "delete":
                # The hot claims stay: they are what every writer fights over.
                candidates = [pk for pk in own if pk not in hot]
            else:
                candidates = hot if (self.rng.random() < 0.5 or not own) else own
            try:
                if op == "create" or not candidates:
                    self.create(n)
                else:
                    self.change(op, self.rng.choice(candidates), n)
            except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
                self.error(op, "exception", repr(error).encode())


def run_process(index, base, document, hot, threads, writes, seed):
    """One worker process: sign in once, then ``threads`` threads share ``writes`` writes."""
    session = Session(base)
    session.login()
    shared = {"lock": threading.Lock(), "pool": [], "hot": list(hot), "versions": {}}
    writers = [
        Writer(session, shared, random.Random(f"{seed}-{index}-{t}"), f"p{index}t{t}", document)
        for t in range(threads)
    ]
    shares = [writes // threads + (1 if t < writes % threads else 0) for t in range(threads)]
    workers = [
        threading.Thread(target=w.run, args=(share,)) for w, share in zip(writers, shares, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    counts = Counter()
    for writer in writers:
        counts.update(writer.counts)
    return {
        "acks": [ack for w in writers for ack in w.acks],
        "errors": [error for w in writers for error in w.errors],
        "counts": dict(counts),
    }


# --- the database and the server (parent process) -----------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def fresh_database():
    """Yield (DATABASE_URL, label) of a new, empty database; remove it afterwards."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(given)
        if parts.path.strip("/") == BENCH_DATABASE:
            raise SystemExit(
                f"DATABASE_URL names {BENCH_DATABASE}; give the server's usual database instead."
            )
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        bench = urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
            version = connection.execute("SHOW server_version").fetchone()[0]
        try:
            yield bench, f"PostgreSQL {version} (database {BENCH_DATABASE}, created and dropped here)"
        finally:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    else:
        directory = tempfile.mkdtemp(prefix="margins-concurrency-")
        try:
            yield f"sqlite:///{directory}/bench.sqlite3", f"SQLite file in {directory} (WAL, IMMEDIATE)"
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def prepare(hot_claims):
    """Analyst, people, the document and the hot claims, through the archive's own services."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connections

    from archive.models import Document, Person
    from archive.services import annotations, imports
    from archive.text import anchoring

    user = User.objects.create_user(USERNAME, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Analysts"))
    people = [
        Person.objects.create(name="Bench Speaker One", slug="bench-speaker-one").pk,
        Person.objects.create(name="Bench Speaker Two", slug="bench-speaker-two").pk,
    ]
    document, _ = imports.create_document(
        document_text(),
        fields={"title": "Bench transcript", "slug": "bench-transcript", "visibility": "published"},
        capture_method=Document.CaptureMethod.FILE_IMPORT,
        created_by=user,
    )
    text = document.text
    spans, position = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((position, position + len(line.rstrip("\n"))))
        position += len(line)
    hot = [
        annotations.create_claim(
            document, anchoring.selector_for(text, *spans[n * 7]), user=user, visibility="published"
        ).pk
        for n in range(hot_claims)
    ]
    connections.close_all()
    return {"slug": document.slug, "text": text, "spans": spans, "people": people}, hot


def final_state():
    """Rows and events of every claim, as plain data for ``check``."""
    from archive.models import Claim, ClaimEvent
    from archive.services.annotations import claim_state

    rows = {
        claim.pk: {
            "version": claim.version,
            "state": claim_state(claim, tags=[t.name for t in claim.tags.all()]),
        }
        for claim in Claim.objects.prefetch_related("tags")
    }
    events = list(
        ClaimEvent.objects.order_by("pk").values("claim_pk", "action", "claim_version", "detail", "state")
    )
    return rows, events


def start_server(env, server, workers, threads, log):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        import gunicorn  # noqa: F401

        have_gunicorn = True
    except ImportError:
        have_gunicorn = False
    if server == "gunicorn" or (server == "auto" and have_gunicorn):
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--timeout", "180", "--graceful-timeout", "10",
            "--log-level", "warning",
        ]  # fmt: skip
        label = f"gunicorn, {workers} workers x {threads} threads"
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        label = "manage.py runserver --noreload (threaded)"
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server exited with {process.returncode}; see {log.name}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return process, base, label
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"The server did not answer within 60 s; see {log.name}")


def stop_server(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--writes", type=int, default=200, help="writes per process")
    parser.add_argument("--hot", type=int, default=12, help="claims every writer fights over")
    parser.add_argument("--server", choices=["auto", "gunicorn", "runserver"], default="auto")
    parser.add_argument("--server-workers", type=int, default=3)
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", default="margins")
    args = parser.parse_args(argv)

    with fresh_database() as (url, database_label), tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_ENV": "development",
            "DEBUG": "0",
            "LOG_LEVEL": "ERROR",
        }
        os.environ.update(
            {k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "LOG_LEVEL")}
        )
        sys.path.insert(0, str(ROOT))
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        document, hot = prepare(args.hot)

        with open(Path(scratch) / "server.log", "w+") as log:
            server, base, server_label = start_server(
                env, args.server, args.server_workers, args.server_threads, log
            )
            started = time.monotonic()
            try:
                context = multiprocessing.get_context("spawn")
                with context.Pool(args.processes) as pool:
                    results = pool.starmap(
                        run_process,
                        [
                            (index, base, document, hot, args.threads, args.writes, args.seed)
                            for index in range(args.processes)
                        ],
                    )
            finally:
                elapsed = time.monotonic() - started
                stop_server(server)
            log.seek(0)
            server_log = log.read()

        acks = [ack for result in results for ack in result["acks"]]
        errors = [error for result in results for error in result["errors"]]
        counts = Counter()
        for result in results:
            counts.update(result["counts"])
        rows, events = final_state()
        from django.db import connections

        connections.close_all()
        problems = check(acks, rows, events)

    done = sum(counts[op] for op in OPERATIONS)
    print(f"Margins concurrency bench — {database_label}; {server_label}")
    print(
        f"{args.processes} processes x {args.threads} threads, {args.writes} writes per process, "
        f"{args.hot} hot claims"
    )
    print(
        f"acknowledged writes: {done} ("
        + ", ".join(f"{op} {counts[op]}" for op in OPERATIONS)
        + f"); 409 conflicts re-read and retried: {counts['conflicts']}; "
        f"claim deleted by another writer first: {counts['gone']}"
    )
    print(f"time: {elapsed:.1f} s ({done / elapsed:.0f} acknowledged writes/s)")
    print(f"final claims: {len(rows)}; events: {len(events)}")
    tracebacks = server_log.count("Traceback (most recent call last)")
    if tracebacks:
        first = server_log.index("Traceback (most recent call last)")
        errors.append(
            f"the server logged {tracebacks} traceback(s); the first:\n" + server_log[first : first + 6000]
        )
    for name, found in (
        ("errors", errors),
        ("lost updates", problems["lost"]),
        ("audit mismatches", problems["audit"]),
    ):
        print(f"{name}: {len(found)}")
        for line in found[:10]:
            print(f"  - {line}")
    return 1 if errors or problems["lost"] or problems["audit"] else 0


if __name__ == "__main__":
    sys.exit(main())
