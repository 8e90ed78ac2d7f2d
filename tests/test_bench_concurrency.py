"""Smoke test of bench/concurrency.py's checking logic (no server, no timing):
a history written through the services passes; an acknowledged write that
was undone or never landed, and a row changed behind the services' back, do not."""

import importlib.util

import pytest

from archive.models import Claim
from archive.services import annotations
from archive.text import anchoring
from tests.factories import make_document
from tests.paths import ROOT

TEXT = "First the minister spoke. Then the general spoke at length. Finally the minister spoke again."


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_concurrency", ROOT / "bench" / "concurrency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def at(quote):
    start = TEXT.index(quote)
    return anchoring.selector_for(TEXT, start, start + len(quote))


def ack(bench, claim, op):
    """What the bench records for an acknowledged write (the API answers with this state)."""
    state = None if op == "delete" else bench.project(annotations.claim_state(Claim.objects.get(pk=claim.pk)))
    return {"claim": claim.pk, "version": claim.version + (op == "delete"), "op": op, "state": state}


@pytest.fixture
def history(db, bench, analyst_user):
    document = make_document(TEXT)
    claim = annotations.create_claim(document, at("the general spoke"), user=analyst_user, tags=["army"])
    acks = [ack(bench, claim, "create")]
    annotations.move_claim(claim, at("Finally the minister"), user=analyst_user)
    acks.append(ack(bench, claim, "move"))
    annotations.update_claim(claim, user=analyst_user, note="Checked.", tags=["army", "navy"])
    acks.append(ack(bench, claim, "update"))
    gone = annotations.create_claim(document, at("First the minister"), user=analyst_user)
    acks.append(ack(bench, gone, "create"))
    acks.append(ack(bench, gone, "delete"))
    annotations.delete_claim(gone, user=analyst_user)
    return claim, acks


def test_a_history_written_through_the_services_passes(bench, history):
    _claim, acks = history
    assert bench.check(acks, *bench.final_state()) == {"lost": [], "audit": []}


def test_an_update_that_put_back_an_acknowledged_moves_span_is_a_lost_update(bench, history):
    claim, acks = history
    undone = dict(acks[2], state={**acks[2]["state"], "quote": "the general spoke"})
    problems = bench.check([*acks[:2], undone], *bench.final_state())
    assert any("undid quote" in line for line in problems["lost"]), problems


def test_an_acknowledged_write_missing_from_the_final_state_is_a_lost_update(bench, history):
    claim, acks = history
    phantom = dict(acks[2], version=4, state={**acks[2]["state"], "note": "Never stored."})
    problems = bench.check([*acks, phantom], *bench.final_state())
    assert any("is not the final state" in line for line in problems["lost"]), problems
    assert any("no event for the update acknowledged at version 4" in line for line in problems["lost"])


def test_a_row_changed_behind_the_services_back_is_an_audit_mismatch(bench, history):
    claim, acks = history
    Claim.objects.filter(pk=claim.pk).update(note="Edited in the shell.")
    problems = bench.check(acks, *bench.final_state())
    assert any(f"claim {claim.pk}: the row" in line for line in problems["audit"]), problems
