/* Marks the page as scripted so controls that need JavaScript are shown only then. */
document.documentElement.classList.add("js");
