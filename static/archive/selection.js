/* Margins: a browser selection as W3C-style selectors over a text panel.
 *
 * Offsets are counted in code points over the panel's text nodes, skipping
 * anything inside [data-offset-ignore] (labels the server adds for screen
 * readers), so they equal Python string indices into the reading text. The
 * browser only proposes a passage: the server checks every selector against
 * the text before saving anything. Used by reader.js and admin-select.js.
 */
(function () {
  "use strict";

  var CONTEXT = 32;

  function ignored(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    return !!(el && el.closest("[data-offset-ignore]"));
  }

  function textOf(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return ignored(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var parts = [];
    while (walker.nextNode()) { parts.push(walker.currentNode.nodeValue); }
    return parts.join("");
  }

  // Offset (in code points) of a DOM boundary point within ``root``'s text.
  function offsetOf(root, container, offset) {
    var range = document.createRange();
    range.setStart(root, 0);
    try { range.setEnd(container, offset); } catch (e) { return null; }
    var fragment = range.cloneContents();
    fragment.querySelectorAll("[data-offset-ignore]").forEach(function (el) { el.remove(); });
    return Array.from(fragment.textContent).length;
  }

  // The current selection inside ``root`` as {quote, prefix, suffix, start, end, rect}, or null.
  function selectorIn(root) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) { return null; }
    var start = offsetOf(root, range.startContainer, range.startOffset);
    var end = offsetOf(root, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) { return null; }
    var chars = Array.from(textOf(root));
    // Analysts rarely mean to quote the whitespace a double-click or drag catches.
    while (start < end && /\s/.test(chars[start])) { start++; }
    while (end > start && /\s/.test(chars[end - 1])) { end--; }
    if (end <= start) { return null; }
    return {
      quote: chars.slice(start, end).join(""),
      prefix: chars.slice(Math.max(0, start - CONTEXT), start).join(""),
      suffix: chars.slice(end, end + CONTEXT).join(""),
      start: start,
      end: end,
      rect: range.getBoundingClientRect()
    };
  }

  // The parts of a selector the server checks and stores (all but the on-screen rect).
  var FIELDS = ["quote", "prefix", "suffix", "start", "end"];

  function payload(selector) {
    var data = {};
    FIELDS.forEach(function (name) { data[name] = selector[name]; });
    return data;
  }

  window.MarginsSelection = {
    selectorIn: selectorIn, textOf: textOf, offsetOf: offsetOf, CONTEXT: CONTEXT, FIELDS: FIELDS, payload: payload
  };
})();
