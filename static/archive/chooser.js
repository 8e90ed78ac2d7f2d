/* Document choosers (the reader's "Compare with…", the compare page's inputs):
 * as the visitor types, ask the server for matching documents and offer them in
 * the input's <datalist>. Without this script the list the page was served with
 * is offered, and any typed title or address still works. */

const DELAY_MS = 200;
const MIN_CHARS = 2;

function replaceOptions(list, results) {
  const options = results.map(({ slug, title }) => {
    const option = document.createElement("option");
    option.value = slug;
    option.textContent = title;
    return option;
  });
  list.replaceChildren(...options);
}

function setUp(form) {
  const url = form.dataset.suggestUrl;
  const status = form.querySelector("[data-suggest-status]");
  const say = (message, isError) => {
    if (!status) { return; }
    status.textContent = message;
    status.classList.toggle("is-error", Boolean(isError));
  };
  form.querySelectorAll("input[data-suggest]").forEach((input) => {
    const list = input.list;
    if (!list || !url) { return; }
    const served = Array.from(list.children, (option) => option.cloneNode(true));
    let timer = 0;
    let pending = null;

    async function lookUp(text) {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      try {
        const response = await fetch(`${url}?${new URLSearchParams({ q: text })}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: pending.signal,
        });
        if (!response.ok) {
          throw new Error(`the server answered ${response.status}`);
        }
        const { results } = await response.json();
        replaceOptions(list, results);
        say(results.length ? "" : `No document matches “${text}”.`, false);
      } catch (error) {
        if (error.name === "AbortError") { return; }
        say(`Suggestions could not be loaded (${error.message}). Type a whole title or address and submit.`, true);
      }
    }

    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < MIN_CHARS) {
        list.replaceChildren(...served.map((option) => option.cloneNode(true)));
        say("", false);
        return;
      }
      timer = window.setTimeout(() => lookUp(text), DELAY_MS);
    });
  });
}

document.querySelectorAll("form[data-suggest-url]").forEach(setUp);
