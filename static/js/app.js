// Progressive enhancement only: every page works without this file.
"use strict";

// The CSRF token for fetch() calls, sent as the X-CSRFToken header.
window.quizapp = {
  csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
};
