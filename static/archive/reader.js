/* Margins reader: selection toolbar, passage links, highlighting for analysts.
 * Selections become selectors through selection.js (loaded first). */
(function () {
  "use strict";

  var textRoot = document.querySelector(".doc-text[data-document]");
  if (!textRoot) { return; }

  var body = document.body;
  var canAnnotate = body.getAttribute("data-analyst") === "1";
  var slug = textRoot.getAttribute("data-document");
  var createUrl = textRoot.getAttribute("data-claims-api");
  function currentSelector() { return window.MarginsSelection.selectorIn(textRoot); }

  // ---- passage links -------------------------------------------------------
  // The server builds every passage link (reader.passage_link): the query string it
  // locates again after corrections and a text directive with just enough context to
  // match this passage alone. Here we only ask for it.
  var passageApi = textRoot.getAttribute("data-passage-api");

  function passageUrl(sel) {
    var url = new URL(passageApi, window.location.href);
    url.searchParams.set("start", String(sel.start));
    url.searchParams.set("end", String(sel.end));
    return fetch(url.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok || !data.url) {
            var errors = data.errors ? Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }) : [];
            throw new Error(errors.join(" ") || data.error || "the server answered " + response.status);
          }
          return data.url;
        });
      });
  }

  function announce(message) {
    var live = document.getElementById("reader-status");
    if (live) { live.textContent = message; }
  }

  // A visible message (role=alert) for what the analyst must act on, e.g. a claim changed by someone else.
  function alertUser(message) {
    var box = document.getElementById("reader-alert");
    if (!box) { announce(message); return; }
    box.textContent = message;
    box.hidden = false;
  }

  function clearAlert() {
    var box = document.getElementById("reader-alert");
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  var CONFLICT = "This claim was changed by someone else; reload to see the change.";

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the link is shown below anyway */ }
    area.remove();
    return Promise.resolve();
  }

  // ---- toolbar ----------------------------------------------------------------

  var toolbar = document.createElement("div");
  toolbar.id = "selection-toolbar";
  toolbar.className = "selection-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "Selected passage");
  toolbar.hidden = true;
  document.body.appendChild(toolbar);

  var lastSelection = null;
  var movingClaim = null;

  function button(label, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("data-action", action);
    return b;
  }

  function showToolbar(sel) {
    toolbar.replaceChildren();
    if (canAnnotate && movingClaim) {
      toolbar.appendChild(button("Move highlight here", "move"));
      toolbar.appendChild(button("Cancel move", "cancel-move"));
    } else if (canAnnotate) {
      toolbar.appendChild(button("Highlight as claim", "highlight"));
    }
    toolbar.appendChild(button("Copy link to passage", "copy-link"));
    var top = window.scrollY + sel.rect.bottom + 8;
    var left = Math.max(8, window.scrollX + sel.rect.left);
    toolbar.style.top = top + "px";
    toolbar.style.left = left + "px";
    toolbar.hidden = false;
  }

  function hideToolbar() { toolbar.hidden = true; }

  function onSelectionSettled() {
    var sel = currentSelector();
    if (sel) {
      lastSelection = sel;
      showToolbar(sel);
    } else if (!toolbar.contains(document.activeElement)) {
      hideToolbar();
    }
  }

  document.addEventListener("mouseup", function (e) {
    if (toolbar.contains(e.target)) { return; }
    window.setTimeout(onSelectionSettled, 0);
  });
  document.addEventListener("touchend", function () { window.setTimeout(onSelectionSettled, 50); });
  document.addEventListener("keyup", function (e) {
    if (e.key === "Escape") { hideToolbar(); return; }
    if (e.shiftKey || e.key === "Shift") { onSelectionSettled(); }
  });
  // Keyboard users: Alt+Shift+H jumps from a selection into the toolbar.
  document.addEventListener("keydown", function (e) {
    if (e.altKey && e.shiftKey && (e.key === "H" || e.key === "h") && !toolbar.hidden) {
      e.preventDefault();
      var first = toolbar.querySelector("button");
      if (first) { first.focus(); }
    }
  });

  toolbar.addEventListener("click", function (e) {
    var action = e.target.getAttribute("data-action");
    if (!action || !lastSelection) { return; }
    if (action === "copy-link") {
      hideToolbar();
      passageUrl(lastSelection).then(function (url) {
        toolbar.setAttribute("data-last-link", url);
        return copy(url).then(function () { announce("Link to passage copied: " + url); });
      }).catch(function (error) {
        alertUser("Could not make a link to this passage (" + error.message + "). Try again, or select fewer words.");
      });
    } else if (action === "highlight") {
      openDialog(null, lastSelection);
      hideToolbar();
    } else if (action === "move") {
      moveClaim(movingClaim, lastSelection);
      hideToolbar();
    } else if (action === "cancel-move") {
      setMoving(null);
      hideToolbar();
    }
  });

  // ---- highlights <-> side panel ---------------------------------------------

  function cardFor(id) { return document.querySelector('[data-claim-card="' + id + '"]'); }
  function marksFor(id) { return textRoot.querySelectorAll('mark[data-key="' + id + '"]'); }

  function activate(id, focusCard) {
    document.querySelectorAll(".is-active").forEach(function (el) { el.classList.remove("is-active"); });
    marksFor(id).forEach(function (m) { m.classList.add("is-active"); });
    var card = cardFor(id);
    if (card) {
      card.classList.add("is-active");
      if (focusCard) {
        card.scrollIntoView({ block: "nearest" });
        card.focus({ preventScroll: true });
      }
    }
  }

  textRoot.addEventListener("click", function (e) {
    var mark = e.target.closest("mark[data-key]");
    if (!mark || !window.getSelection().isCollapsed) { return; }
    activate(mark.getAttribute("data-key"), true);
  });

  document.addEventListener("click", function (e) {
    var jump = e.target.closest("[data-show-claim]");
    if (jump) {
      var id = jump.getAttribute("data-show-claim");
      var first = marksFor(id)[0];
      if (first) {
        e.preventDefault();
        first.scrollIntoView({ block: "center" });
        activate(id, false);
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
        history.replaceState(null, "", "#claim-" + id);
      }
    }
  });

  function focusTarget() {
    var hash = window.location.hash.split(":~:")[0];
    if (!hash || hash.length < 2) { return; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target || !textRoot.contains(target)) { return; }
    target.scrollIntoView({ block: "center" });
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    var key = target.getAttribute("data-key");
    if (key && key !== "passage") { activate(key, false); }
  }
  window.addEventListener("hashchange", focusTarget);
  focusTarget();

  // ---- analysts: create, edit, move, delete ------------------------------------

  if (!canAnnotate) { return; }

  var dialog = document.getElementById("claim-dialog");
  var form = dialog && dialog.querySelector("form");
  var errorsBox = dialog && dialog.querySelector("[data-errors]");
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var editing = null;
  // A claim's editable fields: listed once on the server (Claim.DETAIL_FIELDS) and
  // rendered into the dialog's form; the cards' JSON carries a value for each.
  var claimFields = ((form && form.getAttribute("data-claim-fields")) || "").split(" ").filter(Boolean);

  function fragments(html) {
    if (!html) { return; }
    Object.keys(html).forEach(function (name) {
      var target = document.querySelector('[data-fragment="' + name + '"]');
      if (target) { target.innerHTML = html[name]; }
    });
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function showErrors(errors) {
    errorsBox.replaceChildren();
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    Object.keys(errors || {}).forEach(function (field) {
      (errors[field] || []).forEach(function (message) {
        var li = document.createElement("li");
        li.textContent = (field === "__all__" || field === "selector" ? "" : field + ": ") +
          (typeof message === "string" ? message : message.message);
        errorsBox.appendChild(li);
      });
      var input = form.elements[field];
      if (input && input.setAttribute) { input.setAttribute("aria-invalid", "true"); }
    });
    errorsBox.hidden = !errorsBox.children.length;
    if (!errorsBox.hidden) { errorsBox.focus(); }
  }

  function formPayload() {
    var data = {};
    claimFields.forEach(function (name) {
      var el = form.elements[name];
      if (el) { data[name] = el.value; }
    });
    return data;
  }

  function openDialog(claim, selection) {
    editing = claim;
    form.reset();
    showErrors({});
    dialog.querySelector("[data-dialog-title]").textContent = claim ? "Edit claim" : "New claim";
    var quoteBox = dialog.querySelector("[data-quote]");
    quoteBox.textContent = claim ? claim.quote : selection.quote;
    form.setAttribute("data-selection", claim ? "" : JSON.stringify(window.MarginsSelection.payload(selection)));
    if (claim) {
      claimFields.forEach(function (name) {
        if (form.elements[name] && claim[name] !== undefined && claim[name] !== null) {
          form.elements[name].value = claim[name];
        }
      });
      var search = form.elements["claimant_search"];
      if (search) { search.value = claim.claimant_name || ""; }
    }
    dialog.showModal();
    var first = form.elements["claimant_search"] || form.elements["kind"];
    if (first) { first.focus(); }
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var search = form.elements["claimant_search"];
      var list = document.getElementById("claimant-options");
      if (search && search.value.trim() && !form.elements["claimant"].value) {
        if (list && list.options.length === 1) {
          form.elements["claimant"].value = list.options[0].getAttribute("data-id");
        } else {
          showErrors({ claimant: ["Choose the claimant from the suggestions (or clear the field for an unattributed claim)."] });
          return;
        }
      }
      var payload = formPayload();
      var url;
      if (editing) {
        url = editing.update_url;
        // The version this card was rendered at: the server refuses (409) if the claim changed since.
        payload.version = editing.version;
      } else {
        Object.assign(payload, JSON.parse(form.getAttribute("data-selection") || "{}"));
        url = createUrl;
      }
      var submit = form.querySelector("[type=submit]");
      submit.disabled = true;
      post(url, payload).then(function (result) {
        submit.disabled = false;
        if (result.status === 409) {
          // Keep the dialog open with everything the analyst typed; nothing was saved.
          var message = result.data.error || CONFLICT;
          showErrors({ __all__: [message + " Your edits are still in this form; copy them before reloading."] });
          alertUser(message);
          return;
        }
        if (!result.ok) {
          showErrors(result.data.errors || { __all__: [result.data.error || ("Error " + result.status)] });
          return;
        }
        clearAlert();
        fragments(result.data.html);
        dialog.close();
        announce(editing ? "Claim saved." : "Claim highlighted.");
        if (result.data.id) { activate(String(result.data.id), true); }
      }, function () {
        submit.disabled = false;
        showErrors({ __all__: ["The server could not be reached; nothing was lost, try again."] });
      });
    });
    dialog.querySelector("[data-cancel]").addEventListener("click", function () { dialog.close(); });

    // Search-as-you-type over people and their aliases.
    var search = form.elements["claimant_search"];
    var hidden = form.elements["claimant"];
    var list = document.getElementById("claimant-options");
    var timer = null;
    if (search && list) {
      search.addEventListener("input", function () {
        var term = search.value.trim();
        var match = Array.prototype.find.call(list.options, function (o) { return o.value === search.value; });
        hidden.value = match ? match.getAttribute("data-id") : "";
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          fetch(search.getAttribute("data-search-url") + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (data) {
              list.replaceChildren();
              (data.results || []).forEach(function (p) {
                var option = document.createElement("option");
                option.value = p.name;
                option.setAttribute("data-id", p.id);
                option.label = p.matched_alias ? "also: " + p.matched_alias : (p.role || "");
                list.appendChild(option);
              });
              var exact = Array.prototype.find.call(list.options, function (o) { return o.value === search.value; });
              if (exact) { hidden.value = exact.getAttribute("data-id"); }
            });
        }, 150);
      });
    }
    var tagInput = form.elements["tags"];
    var tagList = document.getElementById("tag-options");
    if (tagInput && tagList) {
      tagInput.addEventListener("input", function () {
        var parts = tagInput.value.split(",");
        var term = parts[parts.length - 1].trim();
        fetch(tagInput.getAttribute("data-search-url") + "?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            tagList.replaceChildren();
            var head = parts.slice(0, -1).map(function (p) { return p.trim(); }).filter(Boolean);
            (data.results || []).forEach(function (name) {
              var option = document.createElement("option");
              option.value = head.concat([name]).join(", ");
              tagList.appendChild(option);
            });
          });
      });
    }
  }

  // ---- keyboard highlighting: a word and sentence caret over the text ------------
  // The mode sets a real DOM selection, so a claim made this way goes through exactly the
  // same selector (selection.js) and dialog as one made with the mouse.

  var keyButton = document.getElementById("keyboard-highlight");
  var keyHelp = document.getElementById("keyboard-highlight-help");
  var keyMode = null; // {chars, words, sentences, anchor, focus} while the mode is on

  var WORD = /[\p{L}\p{N}\p{M}]+(?:['’\-][\p{L}\p{N}\p{M}]+)*/gu;
  var SENTENCE_END = /[.!?…؟。]+["'”’»)\]]*(?=\s|$)|\n\s*\n/gu;

  // Spans (in code points) of the words, and the index of each sentence's first word.
  function wordsOf(text) {
    var points = [], cp = 0;
    for (var i = 0; i < text.length; i++) {
      points[i] = cp;
      var code = text.charCodeAt(i);
      if (code < 0xd800 || code > 0xdbff) { cp++; }
    }
    points[text.length] = cp;
    var words = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) { words.push({ start: points[m.index], end: points[m.index + m[0].length] }); }
    var ends = [];
    SENTENCE_END.lastIndex = 0;
    while ((m = SENTENCE_END.exec(text))) { ends.push(points[m.index]); if (!m[0].length) { SENTENCE_END.lastIndex++; } }
    var firsts = [0], e = 0;
    words.forEach(function (w, index) {
      if (!index) { return; }
      var crossed = false;
      while (e < ends.length && ends[e] < w.start) { if (ends[e] >= words[index - 1].end - 1) { crossed = true; } e++; }
      if (crossed) { firsts.push(index); }
    });
    return { words: words, sentences: firsts };
  }

  // The DOM point at a code-point offset of the reading text (skipping [data-offset-ignore]).
  function pointAt(offset) {
    var walker = document.createTreeWalker(textRoot, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        return n.parentElement.closest("[data-offset-ignore]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
      }
    });
    var left = offset, node, last = null;
    while ((node = walker.nextNode())) {
      last = node;
      var units = 0, points = 0, value = node.nodeValue;
      while (units < value.length && points < left) {
        var code = value.charCodeAt(units);
        units += (code >= 0xd800 && code <= 0xdbff) ? 2 : 1;
        points++;
      }
      if (points === left && (units < value.length || left === 0)) { return { node: node, offset: units }; }
      left -= points;
    }
    return last ? { node: last, offset: last.nodeValue.length } : null;
  }

  function sentenceOf(index) {
    var list = keyMode.sentences, s = 0;
    while (s + 1 < list.length && list[s + 1] <= index) { s++; }
    return s;
  }

  function sentenceEnd(s) {
    return (s + 1 < keyMode.sentences.length ? keyMode.sentences[s + 1] : keyMode.words.length) - 1;
  }

  function showKeySelection() {
    var lo = Math.min(keyMode.anchor, keyMode.focus), hi = Math.max(keyMode.anchor, keyMode.focus);
    var from = pointAt(keyMode.words[lo].start), to = pointAt(keyMode.words[hi].end);
    if (!from || !to) { return; }
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var rect = range.getBoundingClientRect();
    if (rect.top < 60 || rect.bottom > window.innerHeight - 60) {
      window.scrollBy({ top: rect.top - window.innerHeight / 3, behavior: "auto" });
    }
    var sel = currentSelector();
    if (sel) { lastSelection = sel; showToolbar(sel); }
    var words = range.toString().replace(/\s+/g, " ");
    announce(words.length > 120 ? words.slice(0, 60) + " … " + words.slice(-50) : words);
  }

  // The first word on screen (or of a highlight that has focus): where the caret starts.
  function startingWord() {
    var words = keyMode.words, offset = null;
    var mark = document.activeElement && document.activeElement.closest && document.activeElement.closest("#doc-text mark");
    if (mark) {
      var at = window.MarginsSelection.offsetOf(textRoot, mark, 0);
      if (at !== null) { offset = at; }
    }
    if (offset === null) {
      var box = textRoot.getBoundingClientRect();
      var x = box.left + 4, y = Math.max(box.top, 0) + 12;
      var point = document.caretPositionFromPoint ? document.caretPositionFromPoint(x, y) : null;
      var node = point ? point.offsetNode : null, off = point ? point.offset : 0;
      if (!point && document.caretRangeFromPoint) {
        var r = document.caretRangeFromPoint(x, y);
        if (r) { node = r.startContainer; off = r.startOffset; }
      }
      if (node && textRoot.contains(node)) { offset = window.MarginsSelection.offsetOf(textRoot, node, off); }
    }
    if (offset === null) { return 0; }
    for (var i = 0; i < words.length; i++) { if (words[i].end > offset) { return i; } }
    return words.length - 1;
  }

  function enterKeyMode() {
    var parsed = wordsOf(window.MarginsSelection.textOf(textRoot));
    if (!parsed.words.length) { return; }
    keyMode = { words: parsed.words, sentences: parsed.sentences };
    keyMode.anchor = keyMode.focus = startingWord();
    body.classList.add("is-key-highlighting");
    if (keyButton) { keyButton.setAttribute("aria-pressed", "true"); }
    if (keyHelp) { keyHelp.hidden = false; }
    textRoot.setAttribute("tabindex", "-1");
    textRoot.focus({ preventScroll: true });
    showKeySelection();
    announce("Keyboard highlighting on. " + (keyHelp ? keyHelp.textContent : ""));
  }

  function leaveKeyMode(message) {
    if (!keyMode) { return; }
    keyMode = null;
    body.classList.remove("is-key-highlighting");
    if (keyButton) { keyButton.setAttribute("aria-pressed", "false"); }
    if (keyHelp) { keyHelp.hidden = true; }
    if (message) { announce(message); }
  }

  function moveKeyCaret(by, unit, extend) {
    var last = keyMode.words.length - 1;
    if (unit === "word") {
      keyMode.focus = Math.max(0, Math.min(last, keyMode.focus + by));
      if (!extend) { keyMode.anchor = keyMode.focus; }
    } else {
      var s = sentenceOf(keyMode.focus);
      if (extend) {
        // Extend to the end of this sentence (or the next), or back to the start of this one (or the one before).
        if (by > 0) { keyMode.focus = keyMode.focus >= sentenceEnd(s) ? sentenceEnd(Math.min(s + 1, keyMode.sentences.length - 1)) : sentenceEnd(s); }
        else { keyMode.focus = keyMode.focus > keyMode.sentences[s] ? keyMode.sentences[s] : keyMode.sentences[Math.max(0, s - 1)]; }
      } else {
        var t = Math.max(0, Math.min(keyMode.sentences.length - 1, s + by));
        keyMode.anchor = keyMode.sentences[t];
        keyMode.focus = sentenceEnd(t);
      }
    }
    showKeySelection();
  }

  if (keyButton) {
    keyButton.addEventListener("click", function () { if (keyMode) { leaveKeyMode("Keyboard highlighting off."); } else { enterKeyMode(); } });
  }

  document.addEventListener("keydown", function (e) {
    if (dialog && dialog.open) { return; }
    var target = e.target;
    var typing = target && target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (!keyMode) {
      if (e.key === "h" && !e.ctrlKey && !e.metaKey && !e.altKey && !typing) { e.preventDefault(); enterKeyMode(); }
      return;
    }
    if (typing) { return; }
    var horizontal = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (horizontal) {
      e.preventDefault();
      moveKeyCaret(horizontal, e.altKey || e.ctrlKey ? "sentence" : "word", e.shiftKey);
    } else if (e.key === ")" || e.key === "(") {
      e.preventDefault();
      moveKeyCaret(e.key === ")" ? 1 : -1, "sentence", false);
    } else if (e.key === "Enter") {
      e.preventDefault();
      var sel = currentSelector();
      leaveKeyMode("");
      if (sel) { lastSelection = sel; hideToolbar(); openDialog(null, sel); }
    } else if (e.key === "Escape" || e.key === "h") {
      e.preventDefault();
      leaveKeyMode("Keyboard highlighting off.");
      hideToolbar();
    }
  });

  function claimData(id) {
    var card = cardFor(id);
    if (!card) { return null; }
    try { return JSON.parse(card.getAttribute("data-claim")); } catch (e) { return null; }
  }

  function setMoving(claim) {
    movingClaim = claim;
    body.classList.toggle("is-moving", !!claim);
    announce(claim ? "Select the new text for the claim, then choose “Move highlight here”." : "Move cancelled.");
  }

  function moveClaim(claim, selection) {
    var data = window.MarginsSelection.payload(selection);
    data.version = claim.version;
    post(claim.move_url, data).then(function (result) {
      if (result.status === 409) {
        setMoving(null);
        alertUser(result.data.error || CONFLICT);
        return;
      }
      if (!result.ok) {
        announce((result.data.errors && result.data.errors.selector || [result.data.error || "Move refused."]).join(" "));
        return;
      }
      setMoving(null);
      clearAlert();
      fragments(result.data.html);
      announce("Highlight moved.");
      activate(String(claim.id), true);
    });
  }

  document.addEventListener("click", function (e) {
    var control = e.target.closest("[data-claim-action]");
    if (!control) { return; }
    var claim = claimData(control.getAttribute("data-claim-id"));
    if (!claim) { return; }
    var action = control.getAttribute("data-claim-action");
    e.preventDefault();
    if (action === "edit") {
      openDialog(claim, null);
    } else if (action === "move") {
      setMoving(claim);
    } else if (action === "delete") {
      if (window.confirm("Delete this claim? “" + claim.quote.slice(0, 120) + "”")) {
        post(claim.delete_url, { version: claim.version }).then(function (result) {
          if (result.ok) { clearAlert(); fragments(result.data.html); announce("Claim deleted."); }
          else if (result.status === 409) { alertUser(result.data.error || CONFLICT); }
          else { announce(result.data.error || "Delete refused."); }
        });
      }
    }
  });
})();
