// Sign-up: send the browser's time zone (an IANA name such as "Europe/Paris") with the form,
// so days and streaks start at the learner's midnight. Without this script the account is UTC.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const field = document.querySelector("input[data-browser-timezone]");
  if (!field) return;
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (err) {
    field.value = "";
  }
});
