/* Margins reader: claims as notes in the margin, a card on every highlight, j/k to step.
 *
 * Wide screens: each claim's note (its card in the claims column) is placed level with
 * its highlight; a note that would overlap the one above is pushed down. Narrow screens:
 * a small numbered button after each highlight opens the note inline. Without this
 * module the notes stay a list beside or after the text.
 *
 * Everything added inside the text carries data-offset-ignore, so selection offsets
 * (selection.js) are unchanged.
 */
const textRoot = document.querySelector(".doc-text[data-document]");
const column = document.querySelector(".claims-column");
const WIDE = window.matchMedia("(min-width: 56rem)");
const GAP = 12;

function cards() { return Array.from(column ? column.querySelectorAll("[data-claim-card]") : []); }
function cardFor(key) { return column && column.querySelector('[data-claim-card="' + key + '"]'); }
function firstMark(card) {
  const mark = document.getElementById(card.getAttribute("data-anchor") || "");
  return mark && textRoot.contains(mark) ? mark : null;
}
function claimMarks() {
  return Array.from(textRoot.querySelectorAll("mark.hl-start[data-key]")).filter((m) => m.getAttribute("data-key") !== "passage");
}
function describe(card) {
  return card.getAttribute("data-kind-label") + " by " + card.getAttribute("data-claimant") + ", " +
    card.getAttribute("data-status-label").toLowerCase();
}

// ---- margin notes (wide) ---------------------------------------------------------

let pending = 0;
function schedule() {
  if (!pending) { pending = window.requestAnimationFrame(() => { pending = 0; layout(); }); }
}

function layout() {
  if (!column) { return; }
  const list = cards();
  if (!WIDE.matches) {
    column.classList.remove("is-margin");
    column.style.minHeight = "";
    list.forEach((card) => { card.style.top = ""; });
    return;
  }
  column.classList.add("is-margin");
  const origin = column.getBoundingClientRect().top;
  // Notes start below whatever the column shows first (its heading, a notice).
  let cursor = 0;
  Array.from(column.children).forEach((child) => {
    if (!child.hasAttribute("data-claim-card")) { cursor = Math.max(cursor, child.offsetTop + child.offsetHeight); }
  });
  list.forEach((card) => {
    const mark = firstMark(card);
    const wanted = mark ? mark.getBoundingClientRect().top - origin : cursor;
    const top = Math.max(wanted, cursor);
    card.style.top = Math.round(top) + "px";
    cursor = top + card.offsetHeight + GAP;
  });
  column.style.minHeight = Math.ceil(cursor) + "px";
}

// ---- footnote buttons (narrow) ----------------------------------------------------

function addNoteButtons() {
  cards().forEach((card, index) => {
    const key = card.getAttribute("data-claim-card");
    const marks = textRoot.querySelectorAll('mark[data-key="' + key + '"]');
    const last = marks[marks.length - 1];
    if (!last || (last.nextElementSibling && last.nextElementSibling.getAttribute("data-note-for") === key)) { return; }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "note-ref";
    button.setAttribute("data-offset-ignore", "");
    button.setAttribute("data-note-for", key);
    button.setAttribute("data-n", String(index + 1));
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-label", "Note " + (index + 1) + ": " + describe(card));
    last.after(button);
  });
}

function toggleInlineNote(button) {
  const key = button.getAttribute("data-note-for");
  const open = button.nextElementSibling && button.nextElementSibling.classList.contains("inline-note") ? button.nextElementSibling : null;
  if (open) {
    open.remove();
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const card = cardFor(key);
  if (!card) { return; }
  const note = document.createElement("span");
  note.className = "inline-note";
  note.id = "inline-note-" + key;
  note.setAttribute("data-offset-ignore", "");
  note.setAttribute("role", "note");
  const copy = card.cloneNode(true);
  copy.querySelectorAll("[id]").forEach((el) => el.removeAttribute("id"));
  copy.querySelectorAll(".claim-quote, .claim-actions").forEach((el) => el.remove());
  ["id", "tabindex", "data-claim-card", "data-claim"].forEach((name) => copy.removeAttribute(name));
  note.appendChild(copy);
  button.after(note);
  button.setAttribute("aria-controls", note.id);
  button.setAttribute("aria-expanded", "true");
}

// ---- the card on a highlight (hover and keyboard focus) ------------------------------

const tip = document.createElement("div");
tip.id = "highlight-card";
tip.className = "highlight-card";
tip.setAttribute("role", "tooltip");
tip.hidden = true;
document.body.appendChild(tip);
let tipFor = null;

function showTip(mark) {
  const card = cardFor(mark.getAttribute("data-key"));
  if (!card) { return; }
  const kind = document.createElement("span");
  kind.className = "kind-chip kind-" + card.getAttribute("data-kind");
  kind.textContent = card.getAttribute("data-kind-label");
  const who = document.createElement("strong");
  who.textContent = card.getAttribute("data-claimant");
  const status = document.createElement("span");
  status.textContent = card.getAttribute("data-status-label");
  tip.replaceChildren(kind, " by ", who, " · ", status);
  const rect = mark.getClientRects()[0] || mark.getBoundingClientRect();
  tip.hidden = false;
  const left = Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
  tip.style.left = Math.max(8, left) + "px";
  tip.style.top = (window.scrollY + rect.top - tip.offsetHeight - 6) + "px";
  mark.setAttribute("aria-describedby", tip.id);
  tipFor = mark;
}

function hideTip() {
  if (tipFor) { tipFor.removeAttribute("aria-describedby"); }
  tip.hidden = true;
  tipFor = null;
}

function markOf(target) {
  const mark = target instanceof Element ? target.closest("mark[data-key]") : null;
  if (!mark || mark.getAttribute("data-key") === "passage") { return null; }
  // The card is placed by the claim's first piece (the one that takes focus).
  const card = cardFor(mark.getAttribute("data-key"));
  return (card && firstMark(card)) || mark;
}

// ---- stepping with j / k --------------------------------------------------------------

function typing(target) {
  return target instanceof Element && !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true], dialog[open]");
}

function step(direction) {
  const marks = claimMarks();
  if (!marks.length) { return; }
  const current = marks.indexOf(document.activeElement);
  let next;
  if (current >= 0) {
    next = Math.min(marks.length - 1, Math.max(0, current + direction));
  } else {
    // From where the reader is: the first highlight below the top of the window (or the last above it).
    const below = marks.findIndex((m) => m.getBoundingClientRect().top > 0);
    next = direction > 0 ? (below < 0 ? marks.length - 1 : below) : Math.max(0, (below < 0 ? marks.length : below) - 1);
  }
  const mark = marks[next];
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  mark.scrollIntoView({ block: "center", behavior: reduce ? "auto" : "smooth" });
  mark.focus({ preventScroll: true });
  const key = mark.getAttribute("data-key");
  document.querySelectorAll(".is-active").forEach((el) => el.classList.remove("is-active"));
  textRoot.querySelectorAll('mark[data-key="' + key + '"]').forEach((m) => m.classList.add("is-active"));
  const card = cardFor(key);
  if (card) { card.classList.add("is-active"); }
  const status = document.getElementById("reader-status");
  if (status && card) { status.textContent = "Claim " + (next + 1) + " of " + marks.length + ": " + describe(card) + "."; }
}

// ---- wiring -------------------------------------------------------------------------

const sizes = new ResizeObserver(schedule);

function prepare() {
  cards().forEach((card) => sizes.observe(card));
  claimMarks().forEach((mark) => { if (!mark.hasAttribute("tabindex")) { mark.setAttribute("tabindex", "0"); } });
  addNoteButtons();
  schedule();
}

if (textRoot && column) {
  prepare();
  new MutationObserver(() => prepare()).observe(column, { childList: true });
  new MutationObserver((records) => {
    // Only a re-rendered text (after a write) needs new buttons, not our own insertions.
    if (records.some((r) => Array.from(r.addedNodes).some((n) => !(n instanceof Element) || !n.hasAttribute("data-offset-ignore")))) { prepare(); }
  }).observe(textRoot, { childList: true });
  sizes.observe(textRoot);
  sizes.observe(column);
  WIDE.addEventListener("change", schedule);
  if (document.fonts) { document.fonts.ready.then(schedule); }
  window.addEventListener("load", schedule);

  textRoot.addEventListener("click", (e) => {
    const button = e.target instanceof Element ? e.target.closest("button.note-ref") : null;
    if (button) { e.preventDefault(); toggleInlineNote(button); }
  });
  textRoot.addEventListener("focusin", (e) => { const m = markOf(e.target); if (m) { showTip(m); } });
  textRoot.addEventListener("focusout", () => hideTip());
  textRoot.addEventListener("mouseover", (e) => { const m = markOf(e.target); if (m && m !== tipFor) { showTip(m); } });
  textRoot.addEventListener("mouseleave", () => { if (!textRoot.contains(document.activeElement)) { hideTip(); } });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { hideTip(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === "j") { e.preventDefault(); step(1); } else if (e.key === "k") { e.preventDefault(); step(-1); }
  });
}
