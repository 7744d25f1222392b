// Study pages: keyboard shortcuts, the keyboard-operable ordering list, and moving from one
// question to the next without reloading the page. Everything here is an enhancement: the
// pages are plain forms that work without it.
"use strict";

(function () {
  const main = () => document.getElementById("main");

  function typingIn(el) {
    if (!el) return false;
    const tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !["radio", "checkbox", "submit", "button", "hidden"].includes(el.type));
  }

  function announce(text) {
    const live = document.getElementById("live-region");
    if (live) { live.textContent = ""; window.setTimeout(() => { live.textContent = text; }, 30); }
  }

  // --- Ordering: a list whose items move with buttons or Alt+Arrow keys --------------------
  function syncOrder(box) {
    const items = [...box.querySelectorAll(".order-item")];
    box.querySelector('input[name="order"]').value = items.map((li) => li.dataset.index).join(",");
    items.forEach((li, i) => {
      const select = li.querySelector("select");
      if (select) select.value = String(i + 1);
      li.querySelector(".move-up").disabled = i === 0;
      li.querySelector(".move-down").disabled = i === items.length - 1;
    });
  }

  function move(box, li, delta) {
    const items = [...box.querySelectorAll(".order-item")];
    const from = items.indexOf(li);
    const to = from + delta;
    if (to < 0 || to >= items.length) return;
    const list = li.parentElement;
    if (delta < 0) list.insertBefore(li, items[to]); else list.insertBefore(items[to], li);
    syncOrder(box);
    li.querySelector(delta < 0 ? ".move-up" : ".move-down").focus();
    if (document.activeElement.disabled) li.querySelector(".handle").focus();
    const text = li.querySelector(".order-text").textContent;
    announce(`${text}: position ${to + 1} of ${items.length}`);
  }

  function button(label, cls, text) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `button small secondary ${cls}`;
    b.setAttribute("aria-label", label);
    b.textContent = text;
    return b;
  }

  function enhanceOrdering(root) {
    root.querySelectorAll("[data-ordering]").forEach((box) => {
      if (box.classList.contains("enhanced")) return;
      box.classList.add("enhanced");
      box.querySelectorAll(".order-item").forEach((li) => {
        const text = li.querySelector(".order-text").textContent;
        const handle = document.createElement("span");
        handle.className = "handle";
        handle.tabIndex = 0;
        handle.setAttribute("aria-label", `${text}. Alt+Up or Alt+Down moves it.`);
        handle.setAttribute("role", "button");
        handle.textContent = "⠿";
        li.prepend(handle);
        const controls = document.createElement("span");
        controls.className = "order-controls";
        const up = button(`Move “${text}” up`, "move-up", "↑");
        const down = button(`Move “${text}” down`, "move-down", "↓");
        up.addEventListener("click", () => move(box, li, -1));
        down.addEventListener("click", () => move(box, li, +1));
        controls.append(up, down);
        li.append(controls);
        li.addEventListener("keydown", (ev) => {
          if (ev.altKey && (ev.key === "ArrowUp" || ev.key === "ArrowDown")) {
            ev.preventDefault();
            move(box, li, ev.key === "ArrowUp" ? -1 : +1);
          }
        });
        li.draggable = true;
        li.addEventListener("dragstart", (ev) => { ev.dataTransfer.setData("text/plain", li.dataset.index); li.classList.add("dragging"); });
        li.addEventListener("dragend", () => { li.classList.remove("dragging"); syncOrder(box); });
        li.addEventListener("dragover", (ev) => {
          ev.preventDefault();
          const dragging = box.querySelector(".dragging");
          if (!dragging || dragging === li) return;
          const rect = li.getBoundingClientRect();
          li.parentElement.insertBefore(dragging, ev.clientY < rect.top + rect.height / 2 ? li : li.nextSibling);
        });
      });
      syncOrder(box);
    });
  }

  // --- Timer in the progress bar ----------------------------------------------------------
  let timer = null;
  function startTimer(root) {
    if (timer) window.clearInterval(timer);
    const out = root.querySelector("[data-elapsed-since]");
    if (!out) return;
    const since = Number(out.dataset.elapsedSince);
    const tick = () => {
      const s = Math.max(0, Math.round(Date.now() / 1000 - since));
      out.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    };
    tick();
    timer = window.setInterval(tick, 1000);
  }

  // --- Moving between questions without a reload ------------------------------------------
  async function navigate(url, options) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", ...options });
    } catch (err) {
      return false;
    }
    if (!response.ok && response.status !== 400) return false;
    const html = await response.text();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const next = doc.getElementById("main");
    if (!next) return false;
    main().replaceChildren(...next.childNodes);
    document.title = doc.title;
    if (response.url && response.url !== window.location.href) {
      window.history.pushState({}, "", response.url);
    }
    init(main());
    const focus = main().querySelector("[autofocus]") || main().querySelector("h1, h2");
    if (focus) {
      if (!focus.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(focus.tagName)) focus.tabIndex = -1;
      focus.focus();
    }
    return true;
  }

  function bindNavigation(root) {
    root.querySelectorAll("form[data-inline]").forEach((form) => {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        // One post at a time: a double click or Enter pressed twice sends nothing more while
        // the first is in flight (the server also answers a replayed post with the feedback
        // it stored, but there is no need to ask).
        if (form.dataset.busy) return;
        form.dataset.busy = "1";
        form.setAttribute("aria-busy", "true");
        const buttons = [...form.querySelectorAll("button, input[type=submit]")];
        buttons.forEach((b) => { b.disabled = true; });
        const data = new FormData(form);
        if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
        const ok = await navigate(form.action, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": window.quizapp.csrfToken() },
        });
        if (!ok) {
          form.submit();
          return;
        }
        // The form is normally replaced by the next page; if it is still here, free it.
        delete form.dataset.busy;
        form.removeAttribute("aria-busy");
        buttons.forEach((b) => { b.disabled = false; });
      });
    });
    root.querySelectorAll("a[data-inline]").forEach((a) => {
      if (a.dataset.bound) return;
      a.dataset.bound = "1";
      a.addEventListener("click", async (ev) => {
        ev.preventDefault();
        if (!(await navigate(a.href, {}))) window.location.href = a.href;
      });
    });
  }

  window.addEventListener("popstate", () => { window.location.reload(); });

  // --- Keyboard shortcuts ------------------------------------------------------------------
  document.addEventListener("keydown", (ev) => {
    if (!document.querySelector("[data-study]")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const dialog = document.getElementById("keys-help");
    if (dialog && dialog.open) return;
    const active = document.activeElement;
    if (ev.key === "Enter") {
      if (active && (active.tagName === "TEXTAREA" || active.tagName === "BUTTON" || active.tagName === "A" || active.tagName === "SELECT")) return;
      const next = document.querySelector("[data-next]");
      const form = document.querySelector("form[data-answer-form]");
      if (next) { ev.preventDefault(); next.click(); } else if (form) { ev.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (typingIn(active)) return;
    if (/^[1-9]$/.test(ev.key)) {
      const inputs = [...document.querySelectorAll('form[data-answer-form] .choice input')];
      const input = inputs[Number(ev.key) - 1];
      if (input) {
        ev.preventDefault();
        if (input.type === "radio") input.checked = true; else input.checked = !input.checked;
        input.focus();
      }
    } else if (ev.key === "u") {
      const undo = document.querySelector("[data-undo]");
      if (undo) { ev.preventDefault(); undo.click(); }
    } else if (ev.key === "s" || ev.key === "b") {
      const button = document.querySelector(ev.key === "s" ? "[data-suspend]" : "[data-bury]");
      if (button) { ev.preventDefault(); button.click(); }
    } else if (ev.key === "f") {
      const flag = document.querySelector("[data-flag]");
      if (flag) { ev.preventDefault(); flag.open = true; flag.querySelector("textarea").focus(); }
    } else if (ev.key === "?") {
      if (dialog) { ev.preventDefault(); dialog.showModal(); }
    }
  });

  function init(root) {
    enhanceOrdering(root);
    bindNavigation(root);
    startTimer(root);
    root.querySelectorAll("[data-close-dialog]").forEach((b) => {
      b.addEventListener("click", () => b.closest("dialog").close());
    });
    root.querySelectorAll("[data-open-help]").forEach((b) => {
      b.hidden = false;
      b.addEventListener("click", () => document.getElementById("keys-help").showModal());
    });
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
})();
