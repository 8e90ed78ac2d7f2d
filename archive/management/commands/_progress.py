"""Progress lines for long commands: one when a stage starts and then at most one every few seconds."""

import time


class Progress:
    def __init__(self, write, verbosity, *, every=5.0):
        self.write = write
        self.verbosity = verbosity
        self.every = every
        self.stage = None
        self.last = 0.0

    def __call__(self, stage, done):
        if self.verbosity < 1:
            return
        now = time.monotonic()
        if stage != self.stage or now - self.last >= self.every or self.verbosity >= 2:
            self.write(f"  {stage}: {done:,}")
            self.stage = stage
            self.last = now


def size(n):
    """Bytes as people read them: 812 B, 3.4 KB, 1.2 MB, 2.0 GB."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def counts(rows, captures):
    """“5 documents (5 captures), 36 claims, …”: every table, empty ones left out."""
    parts = []
    for table, n in rows.items():
        if not n:
            continue
        name = table.replace("_", " ")
        if n == 1:
            name = {"people": "person"}.get(name, name.removesuffix("s"))
        part = f"{n:,} {name}"
        if table == "documents":
            part += f" ({captures:,} capture{'' if captures == 1 else 's'})"
        parts.append(part)
    return ", ".join(parts) or "nothing (an empty archive)"
