/* Compare page: pair highlighting on hover/focus, stepping through linked
 * pairs, synchronised scrolling, and filling the link form by clicking. */
(function () {
  "use strict";

  var grid = document.getElementById("compare-grid");
  if (!grid) { return; }
  // "id:a:b:relation" per pair, in order (pair n is the n-th).
  var pairs = (grid.getAttribute("data-pairs") || "").split(" ").filter(Boolean).map(function (item, index) {
    var parts = item.split(":");
    return { id: parts[0], n: index + 1, a: parts[1], b: parts[2], rel: parts[3] };
  });
  var columns = Array.prototype.slice.call(grid.querySelectorAll(".compare-text"));
  var position = document.getElementById("pair-position");
  var partners = {};
  pairs.forEach(function (p) {
    (partners[p.a] = partners[p.a] || []).push(p.b);
    (partners[p.b] = partners[p.b] || []).push(p.a);
  });

  function marks(id) { return grid.querySelectorAll('mark[data-key="' + id + '"]'); }
  function keyOf(mark) { return mark.getAttribute("data-key"); }
  function markAt(target) { return target.closest("mark[data-key]"); }
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
  document.querySelectorAll("[data-pair]").forEach(function (row) {
    row.addEventListener("mouseenter", function () { focusPair(pairIndex(row.getAttribute("data-pair")), false); });
    row.addEventListener("focusin", function () { focusPair(pairIndex(row.getAttribute("data-pair")), false); });
  });

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

  var current = pairIndex(grid.getAttribute("data-focused"));
  var syncing = false;

  function focusPair(index, scroll) {
    if (index < 0 || index >= pairs.length) { return; }
    current = index;
    var p = pairs[index];
    clear("is-current");
    [p.a, p.b].forEach(function (id) {
      marks(id).forEach(function (m) { m.classList.add("is-current"); });
    });
    var row = document.querySelector('[data-pair="' + p.id + '"]');
    if (row) { row.classList.add("is-current"); }
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
      position.textContent = "Pair " + p.n + " of " + pairs.length + ": claim " + p.a + " " + p.rel.replace("_", " ") + " claim " + p.b;
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
