// Progressive enhancement only: every page works without this file.
"use strict";

// The CSRF token for fetch() calls, sent as the X-CSRFToken header.
window.quizapp = {
  csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
};

// Controls that only make sense with a script are rendered `hidden` and revealed here.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-open-help][hidden]").forEach((el) => { el.hidden = false; });
});
