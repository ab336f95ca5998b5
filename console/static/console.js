// The console's only script: live updates over server-sent events, training progress.
// Data from the server is put in the page with textContent only, never as HTML.
"use strict";

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function doing(call) {
  if (!call.form) return "listening";
  return call.requested_slot ? call.form + " · asking " + call.requested_slot : call.form;
}

function intent(call) {
  if (!call.last_intent) return "—";
  return call.confidence === null ? call.last_intent : call.last_intent + " (" + call.confidence.toFixed(2) + ")";
}

function flags(list) {
  const holder = document.createDocumentFragment();
  for (const flag of list) holder.appendChild(el("span", flag, "flag"));
  return holder;
}

function renderCalls(calls) {
  // Rows are kept and updated in place, so a link stays clickable while it updates.
  const body = document.getElementById("live-calls");
  const rows = new Map([...body.querySelectorAll("tr")].map((row) => [row.dataset.sid, row]));
  for (const call of calls) {
    let row = rows.get(call.sid);
    rows.delete(call.sid);
    if (!row) {
      row = el("tr");
      row.dataset.sid = call.sid;
      for (let i = 0; i < 6; i++) row.appendChild(el("td"));
      const open = el("a", "Open");
      open.href = "/calls/" + encodeURIComponent(call.sid);
      row.cells[5].appendChild(open);
      body.appendChild(row);
    }
    row.cells[0].textContent = call.caller;
    row.cells[1].textContent = clock(call.elapsed);
    row.cells[2].textContent = doing(call);
    row.cells[3].textContent = intent(call);
    row.cells[4].replaceChildren(flags(call.flags));
  }
  for (const gone of rows.values()) gone.remove();
  document.getElementById("no-calls").hidden = calls.length > 0;
}

function renderCall(call) {
  document.getElementById("caller").textContent = call.caller;
  document.getElementById("elapsed").textContent = clock(call.elapsed);
  document.getElementById("doing").textContent = doing(call);
  document.getElementById("last-intent").textContent = intent(call);
  document.getElementById("flags").replaceChildren(flags(call.flags));
  const incident = document.getElementById("incident");
  if (call.incident && call.incident_url) {
    const link = el("a", call.incident);
    link.href = call.incident_url;
    link.rel = "noreferrer";
    incident.replaceChildren(link);
  } else {
    incident.textContent = call.incident || "—";
  }
  document.getElementById("takeover-form").hidden = Boolean(call.on_hold);
  const list = document.getElementById("transcript");
  list.replaceChildren();
  for (const turn of call.turns) {
    const item = el("li", turn.text, turn.speaker);
    if (turn.speaker === "caller" && turn.intent) {
      const confidence = turn.confidence === null ? "" : " " + turn.confidence.toFixed(2);
      const meta = turn.intent === "nlu_fallback"
        ? "fell back (" + (turn.predicted || "?") + confidence + ")"
        : turn.intent + confidence;
      item.appendChild(el("span", meta, "meta"));
    }
    list.appendChild(item);
  }
  const slots = document.getElementById("slots");
  slots.replaceChildren();
  for (const [name, value] of Object.entries(call.slots)) {
    slots.appendChild(el("dt", name));
    slots.appendChild(el("dd", typeof value === "string" ? value : JSON.stringify(value)));
  }
}

function stream(url, onData) {
  const source = new EventSource(url);
  source.onmessage = (message) => onData(JSON.parse(message.data));
  return source;
}

function pollTraining() {
  fetch("/training/status", { credentials: "same-origin" })
    .then((reply) => reply.json())
    .then((job) => {
      document.getElementById("progress-bar").value = job.progress;
      document.getElementById("training-state").textContent = job.state + (job.message ? ": " + job.message : "");
      const show = (value) => (value === null ? "—" : (value * 100).toFixed(1) + "%");
      document.getElementById("accuracy-before").textContent = show(job.accuracy_before);
      document.getElementById("accuracy-after").textContent = show(job.accuracy_after);
      document.getElementById("reviewed-before").textContent = show(job.reviewed_before);
      document.getElementById("reviewed-after").textContent = show(job.reviewed_after);
    })
    .catch(() => {})
    .finally(() => setTimeout(pollTraining, 1000));
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (page === "home") {
    stream("/stream", (data) => renderCalls(data.calls));
  } else if (page === "call") {
    const sid = document.body.dataset.sid;
    const source = stream("/stream?call=" + encodeURIComponent(sid), (data) => {
      if (data.call) renderCall(data.call);
      if (data.ended) {
        document.getElementById("notice").textContent = "The call has ended.";
        document.getElementById("takeover-form").hidden = true;
        source.close();
      }
    });
  } else if (page === "training") {
    pollTraining();
  }
});
