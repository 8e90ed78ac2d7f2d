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
