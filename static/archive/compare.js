/* Compare page: pair highlighting on hover/focus, stepping through linked
 * pairs, synchronised scrolling, and filling the link form by clicking. */
(function () {
  "use strict";

  var grid = document.getElementById("compare-grid");
  if (!grid) { return; }
  // The pairs are written once, as the rows of the pair table (pair n is the n-th row):
  // the row's id is "pair-<link id>", data-claims names its two claims, its claim cells
  // say who and what ("Ali Khamenei: “…”"), and the relation cell's arrow points from the claim that
  // reports (or …) to the other.
  var rows = Array.prototype.slice.call(document.querySelectorAll("#pair-focus tbody tr"));
  function said(cell) { return cell.textContent.replace(/\s+/g, " ").trim(); }
  var pairs = rows.map(function (row, index) {
    var ends = row.getAttribute("data-claims").split(" "), a = ends[0], b = ends[1];
    var relation = row.cells[2].textContent.trim();
    var leftward = relation.charAt(0) === "←";
    var aSaid = said(row.cells[1]), bSaid = said(row.cells[3]);
    return {
      id: row.id.slice("pair-".length), n: index + 1, a: a, b: b, row: row,
      fromSaid: leftward ? bSaid : aSaid, toSaid: leftward ? aSaid : bSaid,
      rel: relation.replace(/[←→]/g, "").trim()
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
    revealPartners(id);
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
      position.textContent = "Pair " + p.n + " of " + pairs.length + ": " + p.fromSaid + " " + p.rel + " " + p.toSaid;
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

  // ---- keeping linked passages level ------------------------------------------
  // Positions are measured in each column's own content (scrollTop 0 = its top) and
  // kept until the layout changes.
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var sync = document.getElementById("sync-scroll");
  var measured = null;
  var ours = new Map(); // column -> the scrollTop we set (its scroll event is not the reader's)
  var quietUntil = 0;   // a smooth reveal is running: its scroll events drive nothing

  function scrolls(column) { return column.scrollHeight > column.clientHeight + 1; }
  function yIn(mark, column) {
    return mark.getBoundingClientRect().top - column.getBoundingClientRect().top + column.scrollTop;
  }
  function columnOf(mark) { return columns.indexOf(mark.closest(".compare-text")); }

  // For each column, its linked highlights (first pieces) in text order, with where
  // their partners are in each other column.
  function measure() {
    if (measured) { return measured; }
    var firsts = {};
    grid.querySelectorAll("mark[data-pairs]").forEach(function (m) {
      var key = keyOf(m);
      if (!firsts[key]) { firsts[key] = { mark: m, column: columnOf(m), y: yIn(m, m.closest(".compare-text")) }; }
    });
    measured = columns.map(function () { return []; });
    Object.keys(firsts).forEach(function (key) {
      var here = firsts[key];
      var across = {};
      (partners[key] || []).forEach(function (other) {
        var there = firsts[other];
        if (there && there.column !== here.column && !(there.column in across)) { across[there.column] = there.y; }
      });
      measured[here.column].push({ key: key, y: here.y, height: here.mark.offsetHeight, across: across });
    });
    measured.forEach(function (list) { list.sort(function (p, q) { return p.y - q.y; }); });
    return measured;
  }
  window.addEventListener("resize", function () { measured = null; });

  // Where a point ``y`` of column ``from`` lies in column ``to``: exactly at the partner
  // of a linked highlight, in proportion between two linked highlights.
  function mapped(from, to, y) {
    var points = [{ y: 0, other: 0 }];
    measure()[from].forEach(function (p) { if (to in p.across) { points.push({ y: p.y, other: p.across[to] }); } });
    points.push({ y: columns[from].scrollHeight, other: columns[to].scrollHeight });
    for (var i = 1; i < points.length; i++) {
      if (y <= points[i].y) {
        var p = points[i - 1], q = points[i];
        var share = q.y > p.y ? (y - p.y) / (q.y - p.y) : 0;
        return p.other + share * (q.other - p.other);
      }
    }
    return points[points.length - 1].other;
  }

  function setScroll(column, top, smooth) {
    if (smooth && !reduceMotion) {
      quietUntil = Date.now() + 700;
      column.scrollTo({ top: top, behavior: "smooth" });
      return;
    }
    column.scrollTop = Math.max(0, top);
    ours.set(column, column.scrollTop);
  }

  // The reference line of a scrolled column: its topmost visible linked highlight,
  // else a third of the way down its window.
  function follow(from) {
    var column = columns[from], top = column.scrollTop;
    columns.forEach(function (other, to) {
      if (to === from || !scrolls(other)) { return; }
      var line = null;
      measure()[from].some(function (p) {
        if (to in p.across && p.y + p.height > top && p.y < top + column.clientHeight) { line = p.y; return true; }
        return false;
      });
      if (line === null) { line = top + column.clientHeight / 3; }
      setScroll(other, mapped(from, to, line) - (line - top), false);
    });
  }

  columns.forEach(function (column, index) {
    column.addEventListener("scroll", function () {
      if (ours.has(column)) {
        var expected = ours.get(column);
        ours.delete(column);
        if (Math.abs(column.scrollTop - expected) <= 1) { return; }
      }
      if (!sync || !sync.checked || syncing || Date.now() < quietUntil || !scrolls(column)) { return; }
      follow(index);
    }, { passive: true });
  });

  // Hovering or focusing a highlight brings its partners in the other columns into
  // view, level with it where the columns scroll.
  function revealPartners(id) {
    var source = marks(id)[0];
    if (!source) { return; }
    var from = columnOf(source);
    var level = scrolls(columns[from]) ? source.getBoundingClientRect().top - columns[from].getBoundingClientRect().top : null;
    var done = {};
    (partners[id] || []).forEach(function (other) {
      var mark = marks(other)[0];
      if (!mark) { return; }
      var to = columnOf(mark);
      if (to === from || done[to] || !scrolls(columns[to])) { return; }
      done[to] = true;
      var column = columns[to];
      var box = column.getBoundingClientRect(), r = mark.getBoundingClientRect();
      if (r.top >= box.top && r.bottom <= box.bottom) { return; }
      var offset = level === null ? column.clientHeight / 3 : Math.min(Math.max(level, 0), column.clientHeight - r.height);
      setScroll(column, yIn(mark, column) - offset, true);
    });
  }

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
