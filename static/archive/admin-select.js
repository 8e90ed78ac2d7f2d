/* Margins admin: place a claim by selecting its passage in the reading text.
 *
 * The panel (.doc-text[data-admin-select]) holds the document's reading text.
 * Offsets are counted in code points over its text nodes, skipping anything
 * inside [data-offset-ignore], so they equal Python string indices. The
 * browser only proposes a passage: the server checks it against the text
 * (ClaimAdminForm) before anything is saved.
 *
 * data-admin-select="inline": a selection pre-fills a new claim in the
 * document's claim inline (the group named by data-inline-group).
 * data-admin-select="replace": the button fills the claim form's hidden
 * new_* fields, and saving re-places the claim there.
 * data-admin-select="fill": a selection fills the claim add form's quote,
 * prefix and suffix; the panel is fetched when a document is chosen.
 */
(function () {
  "use strict";

  var selectionIn = window.MarginsSelection.selectorIn;

  function excerpt(s, limit) {
    s = s.replace(/\s+/g, " ").trim();
    return s.length <= limit ? s : s.slice(0, limit - 1) + "…";
  }

  function reducedMotion() {
    return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function setValue(field, value) {
    if (!field) { return; }
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // ---- inline mode: a new claim row on the document page -----------------------

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function isNewRow(row) {
    var id = field(row, "id");
    return !(id && id.value);
  }

  // A row this tool filled and the analyst has not retyped or given a claimant
  // yet: a second selection replaces it instead of piling up rows.
  function isReusable(row) {
    var quote = field(row, "quote");
    var claimant = field(row, "claimant");
    if (!quote) { return false; }
    if (quote.value.trim() === "") { return true; }
    return row.getAttribute("data-prefilled") === quote.value && !(claimant && claimant.value);
  }

  function emptyRow(group) {
    var quotes = group.querySelectorAll('[name$="-quote"]');
    for (var i = 0; i < quotes.length; i++) {
      // Skip the template Django clones for "Add another".
      if (quotes[i].name.indexOf("__prefix__") !== -1) { continue; }
      var row = quotes[i].closest("tr.form-row, .inline-related");
      if (row && isNewRow(row) && isReusable(row)) { return row; }
    }
    return null;
  }

  function prefillInline(panel, selection, announce) {
    var group = document.getElementById(panel.getAttribute("data-inline-group"));
    if (!group) {
      announce("You cannot add claims here.");
      return;
    }
    var row = emptyRow(group);
    if (!row) {
      var add = group.querySelector(".add-row a");
      if (!add) {
        announce("No more claims can be added to this document here.");
        return;
      }
      add.click();
      row = emptyRow(group);
    }
    if (!row) { return; }
    setValue(field(row, "quote"), selection.quote);
    setValue(field(row, "prefix"), selection.prefix);
    setValue(field(row, "suffix"), selection.suffix);
    row.setAttribute("data-prefilled", selection.quote);
    // The row may be far below the text: bring it into view before moving focus there.
    group.querySelectorAll(".is-selected-row").forEach(function (r) { r.classList.remove("is-selected-row"); });
    row.classList.add("is-selected-row");
    row.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
    var claimant = field(row, "claimant");
    var visible = row.querySelector(".select2-selection") || claimant;
    if (visible) { visible.focus({ preventScroll: true }); }
    announce("Claim pre-filled from your selection; choose claimant, kind and status, then Save.");
  }

  // ---- replace mode: the orphaned claim's own form -------------------------------

  function fillReplacement(panel, selection, announce) {
    var form = panel.closest("form");
    var names = window.MarginsSelection.FIELDS;
    var fields = names.map(function (name) { return form && form.elements["new_" + name]; });
    if (fields.some(function (f) { return !f; })) {
      announce("This claim cannot be re-placed here.");
      return;
    }
    names.forEach(function (name, i) { setValue(fields[i], String(selection[name])); });
    announce("The claim will be re-placed at “" + excerpt(selection.quote, 80) + "” (characters " +
      selection.start + "–" + selection.end + ") when you save.");
  }

  // ---- fill mode: the claim add form ------------------------------------------------

  function fillQuote(panel, selection, announce) {
    var form = panel.closest("form");
    var quote = form && form.elements["quote"];
    if (!quote) { announce("This form has no quote field."); return; }
    setValue(quote, selection.quote);
    setValue(form.elements["prefix"], selection.prefix);
    setValue(form.elements["suffix"], selection.suffix);
    quote.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
    quote.focus({ preventScroll: true });
    announce("Quote filled from your selection: “" + excerpt(selection.quote, 80) + "”.");
  }

  // On the claim add page, choosing a document brings its reading text (the same page,
  // rendered for that document) without losing what was typed.
  function watchDocumentChoice() {
    var box = document.querySelector("[data-claim-text-panel]");
    var select = document.getElementById("id_document");
    if (!box || !select) { return; }
    function load() {
      var id = select.value;
      if (!id) { return; }
      var hint = box.querySelector("[data-claim-text-hint], [data-admin-select-status]");
      fetch(window.location.pathname + "?document=" + encodeURIComponent(id), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-claim-text-panel] .admin-select");
          if (!fresh) { throw new Error("no panel"); }
          box.querySelectorAll(".admin-select, [data-claim-text-hint]").forEach(function (old) { old.remove(); });
          var panelBox = document.importNode(fresh, true);
          box.appendChild(panelBox);
          setUp(panelBox.querySelector(".doc-text[data-admin-select]"));
        })
        .catch(function () {
          if (hint) { hint.textContent = "The document's text could not be loaded; type the quote below, or reload the page."; }
        });
    }
    // Select2 reports a choice through jQuery's events only (which also receive native ones).
    if (window.django && window.django.jQuery) { window.django.jQuery(select).on("change", load); }
    else { select.addEventListener("change", load); }
  }

  // ---- wiring ----------------------------------------------------------------------

  function setUp(panel) {
    var box = panel.closest(".admin-select") || panel.parentElement;
    var button = box.querySelector("[data-admin-select-button]");
    var status = box.querySelector("[data-admin-select-status]");
    var mode = panel.getAttribute("data-admin-select");
    // Clicking the button may collapse the selection first; keep the last one.
    var last = null;

    function announce(message) {
      if (status) { status.textContent = message; }
    }

    function apply(selection) {
      if (mode === "replace") {
        fillReplacement(panel, selection, announce);
      } else if (mode === "fill") {
        fillQuote(panel, selection, announce);
      } else {
        prefillInline(panel, selection, announce);
      }
    }

    document.addEventListener("selectionchange", function () {
      var selection = selectionIn(panel);
      if (selection) { last = selection; }
    });

    if (mode === "inline" || mode === "fill") {
      panel.addEventListener("mouseup", function () {
        // The selection settles after mouseup.
        window.setTimeout(function () {
          var selection = selectionIn(panel);
          if (selection) {
            last = selection;
            apply(selection);
          }
        }, 0);
      });
    }

    if (button) {
      button.addEventListener("click", function () {
        var selection = selectionIn(panel) || last;
        if (!selection) {
          announce("Select a passage in the reading text first.");
          panel.focus();
          return;
        }
        apply(selection);
      });
    }
  }

  // ---- names for the autocomplete boxes ------------------------------------------
  // Select2's combobox is labelled by its own (often empty) rendering; give it the
  // field's label, also in inline rows added later.

  function nameComboboxes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]:not([data-named])").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") { return; }
      box.setAttribute("data-named", "");
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var name = (label && label.textContent.replace(/[:\s]+$/, "").trim()) || select.getAttribute("aria-label") ||
        (select.name || "").replace(/^.*-/, "").replace(/_/g, " ");
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", name);
      // Select2 shows the current choice in a read-only "textbox"; it needs a name of its own.
      var shown = box.querySelector("[role=textbox]");
      if (shown) { shown.setAttribute("aria-label", name + ": current choice"); }
    });
  }

  function init() {
    document.querySelectorAll(".doc-text[data-admin-select]").forEach(setUp);
    watchDocumentChoice();
    nameComboboxes(document);
    new MutationObserver(function () { nameComboboxes(document); })
      .observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
