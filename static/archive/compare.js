/* Compare page: pair highlighting on hover/focus, stepping through linked
 * pairs, synchronised scrolling, and filling the link form by clicking. */
(function () {
  "use strict";

  var grid = document.getElementById("compare-grid");
  if (!grid) { return; }
  // The pairs are written once, as the rows of the pair table (pair n is the n-th row):
  // the row's id is "pair-<link id>", its cells name the two claims ("claim 37 — …")
  // and the relation, with an arrow pointing from the claim that reports (or …) to the other.
  var rows = Array.prototype.slice.call(document.querySelectorAll("#pair-focus tbody tr"));
  function claimIn(cell) { var found = cell.textContent.match(/\d+/); return found ? found[0] : ""; }
  var pairs = rows.map(function (row, index) {
    var a = claimIn(row.cells[1]), b = claimIn(row.cells[3]);
    var relation = row.cells[2].textContent.trim();
    var leftward = relation.charAt(0) === "←";
    return {
      id: row.id.slice("pair-".length), n: index + 1, a: a, b: b, row: row,
      from: leftward ? b : a, to: leftward ? a : b, rel: relation.replace(/[←→]/g, "").trim()
    };
  });
  var columns = Array.prototype.slice.call(grid.querySelectorAll(".compare-text"));
  var position = document.getElementById("pair-position");
  var partners = {};
  pairs.forEach(function (p) {
    (partners[p.a] = partners[p.a] || []).push(p.b);
    (partners[p.b] = partners[p.b] || []).push(p.a);
  });

  // A highlight's first piece is named by its anchor id ("claim-37"); the continuation
  // pieces of one split across elements carry its key (data-key="37").
  function marks(id) { return grid.querySelectorAll('[id="claim-' + id + '"], mark[data-key="' + id + '"]'); }
  function keyOf(mark) { return mark.getAttribute("data-key") || mark.id.replace(/^claim-/, ""); }
  function markAt(target) { return target.closest(".compare-text mark"); }
  function clear(cls) {
    document.querySelectorAll("." + cls).forEach(function (el) { el.classList.remove(cls); });
  }

  function showPartners(id) {
    clear("is-partner");
    clear("is-source");
    if (!partners[id]) { return; }
    marks(id).forEach(function (m) { m.classList.add("is-source"); });
    partners[id].forEach(function (other) {
      marks(other).forEach(function (m) { m.classList.add("is-partner"); });
    });
  }

  // A pair's own two ends only: its claims may take part in other pairs too.
  function showPair(p) {
    clear("is-partner");
    clear("is-source");
    marks(p.a).forEach(function (m) { m.classList.add("is-source"); });
    marks(p.b).forEach(function (m) { m.classList.add("is-partner"); });
  }

  // Make the first piece of each linked highlight focusable for keyboard users.
  grid.querySelectorAll("mark[data-pairs]").forEach(function (m) { m.setAttribute("tabindex", "0"); });

  grid.addEventListener("mouseover", function (e) {
    var mark = markAt(e.target);
    if (mark) { showPartners(keyOf(mark)); }
  });
  grid.addEventListener("mouseleave", function () { clear("is-partner"); clear("is-source"); });
  grid.addEventListener("focusin", function (e) {
    var mark = markAt(e.target);
    if (mark) { showPartners(keyOf(mark)); }
  });
  pairs.forEach(function (p, index) {
    p.row.addEventListener("mouseenter", function () { focusPair(index, false); });
    p.row.addEventListener("focusin", function () { focusPair(index, false); });
  });
  // Each row's number is a button of one form (for visitors without script); here it
  // focuses its pair in place.
  var focusForm = document.getElementById("pair-focus");
  if (focusForm) {
    focusForm.addEventListener("click", function (e) {
      var button = e.target.closest("button[name=pair]");
      if (!button) { return; }
      e.preventDefault();
      focusPair(pairIndex(button.value), true);
    });
  }

  // Scroll a column so ``mark`` is in view, without moving the page itself.
  function reveal(mark) {
    var column = mark.closest(".compare-text");
    if (!column) { return; }
    if (column.scrollHeight > column.clientHeight + 1) {
      var top = mark.offsetTop - column.offsetTop - column.clientHeight / 3;
      column.scrollTop = Math.max(0, top);
    }
  }

  function pairIndex(id) {
    for (var i = 0; i < pairs.length; i++) { if (String(pairs[i].id) === String(id)) { return i; } }
    return -1;
  }

  var focusedRow = document.querySelector('#pair-focus tr[aria-current="true"]');
  var current = focusedRow ? pairIndex(focusedRow.id.slice("pair-".length)) : -1;
  var syncing = false;

  function focusPair(index, scroll) {
    if (index < 0 || index >= pairs.length) { return; }
    current = index;
    var p = pairs[index];
    clear("is-current");
    [p.a, p.b].forEach(function (id) {
      marks(id).forEach(function (m) { m.classList.add("is-current"); });
    });
    rows.forEach(function (row) { row.removeAttribute("aria-current"); });
    p.row.classList.add("is-current");
    p.row.setAttribute("aria-current", "true");
    showPair(p);
    if (scroll) {
      syncing = true;
      [p.a, p.b].forEach(function (id) { var m = marks(id)[0]; if (m) { reveal(m); } });
      window.setTimeout(function () { syncing = false; }, 100);
      var first = marks(p.a)[0];
      if (first && first.getBoundingClientRect().top < 0 || first && first.getBoundingClientRect().bottom > window.innerHeight) {
        first.scrollIntoView({ block: "center" });
      }
    }
    if (position) {
      position.textContent = "Pair " + p.n + " of " + pairs.length + ": claim " + p.from + " " + p.rel + " claim " + p.to;
    }
    var url = new URL(window.location.href);
    url.searchParams.set("pair", p.id);
    url.hash = "pair-" + p.id;
    history.replaceState(null, "", url.toString());
  }

  document.querySelectorAll("[data-step]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      if (!pairs.length) { return; }
      e.preventDefault();
      var step = parseInt(link.getAttribute("data-step"), 10);
      var next = current < 0 ? (step > 0 ? 0 : pairs.length - 1) : (current + step + pairs.length) % pairs.length;
      focusPair(next, true);
    });
  });
  // Keyboard: n / p step through pairs when focus is not in a form field.
  document.addEventListener("keydown", function (e) {
    if (e.target.closest("input, select, textarea") || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (e.key === "n" || e.key === "p") {
      e.preventDefault();
      var step = e.key === "n" ? 1 : -1;
      var next = current < 0 ? 0 : (current + step + pairs.length) % pairs.length;
      focusPair(next, true);
    }
  });

  // Synchronised scrolling: the other columns follow proportionally.
  var sync = document.getElementById("sync-scroll");
  columns.forEach(function (column) {
    column.addEventListener("scroll", function () {
      if (!sync || !sync.checked || syncing) { return; }
      syncing = true;
      var ratio = column.scrollTop / Math.max(1, column.scrollHeight - column.clientHeight);
      columns.forEach(function (other) {
        if (other !== column) { other.scrollTop = ratio * (other.scrollHeight - other.clientHeight); }
      });
      window.requestAnimationFrame(function () { syncing = false; });
    });
  });
  if (sync) {
    sync.addEventListener("change", function () {
      var url = new URL(window.location.href);
      if (sync.checked) { url.searchParams.set("sync", "1"); } else { url.searchParams.delete("sync"); }
      history.replaceState(null, "", url.toString());
    });
  }

  // Clicking highlights fills the link form: first "This claim", then "that claim".
  var linkForm = document.getElementById("link-form");
  if (linkForm) {
    var fill = "from_claim";
    grid.addEventListener("click", function (e) {
      var mark = markAt(e.target);
      if (!mark || !window.getSelection().isCollapsed) { return; }
      var field = linkForm.elements[fill];
      if (field) { field.value = keyOf(mark); }
      fill = fill === "from_claim" ? "to_claim" : "from_claim";
    });
  }

  if (current >= 0) { focusPair(current, true); }
})();
