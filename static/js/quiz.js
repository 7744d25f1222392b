// Taking a quiz: the countdown (the server's deadline decides; this only shows it, says it
// aloud at 10, 5 and 1 minutes and 30 seconds left, and saves the answer when it runs out)
// and saving an answer as soon as it is given. Without this script, answers are saved when
// the learner moves to another question, and the server submits the attempt at its deadline.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-quiz-form]");
  const status = document.querySelector("[data-save-status]");

  let dirty = false;
  async function save(keepalive = false) {
    if (!form) return;
    const data = new FormData(form);
    data.set("go", "stay");
    dirty = false;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin", headers: { "X-Autosave": "1" },
        keepalive,
      });
      if (response.status === 204 && status) {
        status.textContent = "Saved at " + new Date().toLocaleTimeString();
      } else if (response.redirected || response.status >= 300) {
        window.location.reload();
      }
    } catch (err) {
      if (status) status.textContent = "Not saved: the connection dropped. It is saved when you move on.";
    }
  }

  if (form) {
    let timer = null;
    form.addEventListener("change", () => { dirty = true; clearTimeout(timer); timer = setTimeout(save, 300); });
    form.addEventListener("input", (event) => {
      if (event.target.type !== "text") return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, 1200);
    });
    form.addEventListener("submit", () => { dirty = false; clearTimeout(timer); });
    // A reload or a closed tab before the pause that saves: the answer goes anyway.
    window.addEventListener("pagehide", () => { if (dirty) save(true); });
  }

  const clock = document.querySelector("[data-deadline]");
  if (!clock) return;
  const face = clock.querySelector("[data-clock]");
  const words = clock.querySelector("[data-clock-words]");
  const announce = document.querySelector("[data-timer-announce]");
  const ends = Date.now() + Number(clock.dataset.secondsLeft) * 1000;
  const said = new Set();
  const moments = [[600, "10 minutes left"], [300, "5 minutes left"], [60, "1 minute left"], [30, "30 seconds left"]];
  function tick() {
    const left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    face.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    const minutes = Math.ceil(left / 60);
    words.textContent = minutes + (minutes === 1 ? " minute left" : " minutes left");
    for (const [at, text] of moments) {
      if (left <= at && left > at - 5 && !said.has(at)) { said.add(at); announce.textContent = text; }
    }
    clock.classList.toggle("quiz-timer-low", left <= 60);
    if (left === 0) {
      clearInterval(handle);
      announce.textContent = "The time is up: your attempt is being submitted.";
      if (form) {
        const go = document.createElement("input");
        go.type = "hidden"; go.name = "go"; go.value = "summary";
        form.appendChild(go);
        form.submit();
      } else {
        window.location.reload();
      }
    }
  }
  const handle = setInterval(tick, 1000);
  tick();
});
