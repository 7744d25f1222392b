// The question editor: a preview that follows the form as one types, "Try it" without a page
// load, and quoting the text selected in the document. Without this script the form's
// Preview and Try it buttons do the same with a page load, and a quote is pasted.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-editor]");
  if (!form) return;
  const preview = form.querySelector("[data-preview]");
  const url = form.dataset.previewUrl;
  let timer = null;
  let sent = 0;

  async function refresh(action) {
    const data = new FormData(form);
    data.delete("image");
    data.set("action", action || "preview");
    const ticket = ++sent;
    const response = await fetch(url, { method: "POST", body: data, credentials: "same-origin" });
    if (!response.ok || ticket !== sent) return;
    const heading = preview.querySelector("h2");
    preview.innerHTML = "";
    preview.appendChild(heading);
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    while (holder.firstChild) preview.appendChild(holder.firstChild);
  }

  form.addEventListener("input", (event) => {
    if (!url || preview.contains(event.target)) return; // no live preview here, or an answer typed in the preview itself
    clearTimeout(timer);
    timer = setTimeout(() => refresh("preview"), 400);
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-try]");
    if (!button || !url) return;
    event.preventDefault();
    refresh("try").then(() => {
      const result = preview.querySelector(".try-result");
      if (result) result.focus?.();
    });
  });

  const quoteButton = document.querySelector("[data-quote-selection]");
  const documentText = document.querySelector(".document-text");
  if (quoteButton && documentText) {
    quoteButton.hidden = false;
    quoteButton.addEventListener("click", () => {
      const selection = window.getSelection();
      const text = selection ? selection.toString().replace(/\s+/g, " ").trim() : "";
      if (!text || !documentText.contains(selection.anchorNode)) {
        quoteButton.setAttribute("aria-describedby", "");
        return;
      }
      form.querySelector("[name=quote]").value = text;
      const part = selection.anchorNode.parentElement?.closest("[data-section]");
      if (part && part.dataset.section) form.querySelector("[name=section]").value = part.dataset.section;
      form.querySelector("[name=quote]").dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
});
