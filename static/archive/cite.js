/* Copy buttons of the "Cite" section (templates/archive/_cite.html).
 *
 * Each button copies its format's text and says so. When the browser refuses
 * (no clipboard on an insecure page, a denied permission), the refusal is
 * said where the visitor sees it and the text is selected, ready for Ctrl+C.
 * Without this script the buttons stay hidden; every format is shown whole
 * and has a plain download link. */

function say(status, message, failed) {
  status.textContent = message;
  status.classList.toggle("is-error", failed);
}

async function copyText(text) {
  if (!navigator.clipboard || !window.isSecureContext) {
    throw new Error("this page may not use the clipboard");
  }
  await navigator.clipboard.writeText(text);
}

function setUp(section) {
  const status = section.querySelector("[data-cite-status]");
  section.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !status) { return; }
    const label = button.dataset.label;
    button.addEventListener("click", async () => {
      try {
        await copyText(field.value);
        say(status, `${label} copied to the clipboard.`, false);
      } catch (error) {
        field.focus();
        field.select();
        const reason = error && error.message ? error.message : String(error);
        say(status, `${label} could not be copied (${reason}). The text is selected: press Ctrl+C (⌘C on a Mac) to copy it.`, true);
      }
    });
    button.hidden = false;
  });
}

document.querySelectorAll("[data-cite]").forEach(setUp);
