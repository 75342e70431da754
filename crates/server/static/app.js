// tongban pages work without this file. With it: the first field with an error gets the
// focus, and a form cannot be sent twice by a double click.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) {
    invalid.focus();
  }
  for (const form of document.querySelectorAll("form[method='post']")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type='submit']")) {
        setTimeout(() => { button.disabled = true; }, 0);
      }
    });
  }
});
