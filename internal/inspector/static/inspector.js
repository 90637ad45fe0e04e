// The bankfeed inspector: reads the sandbox control surface (/sandbox/v1/)
// and shows it, polling for what changes. Every value is written with
// textContent, never as HTML: the journal holds what clients sent.
"use strict";

const api = "/sandbox/v1/";
const state = { key: sessionStorage.getItem("bankfeed-admin-key") || "", lastID: 0, login: null, customer: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

function setStatus(text, bad) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = bad ? "error" : "muted";
}

// call sends one control call; it resolves to {status, body}.
async function call(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (state.key) headers["Authorization"] = "Bearer " + state.key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (res.status === 401) {
    document.getElementById("key-form").hidden = false;
    setStatus("this server needs its admin key", true);
  }
  return { status: res.status, body: data };
}

function when(t) {
  if (!t) return "";
  return t.replace("T", " ").replace(/\.\d+/, "").replace("Z", "");
}

// The clock: the other half of the control plane may be absent (404).
async function refreshClock() {
  const r = await call("GET", "clock");
  const note = document.getElementById("clock-note");
  if (r.status === 404) {
    document.getElementById("clock-now").textContent = "wall clock";
    note.textContent = "This server has no virtual clock.";
    document.getElementById("clock-form").hidden = true;
    return;
  }
  if (r.status !== 200 || !r.body) return;
  document.getElementById("clock-form").hidden = false;
  document.getElementById("clock-now").textContent = when(r.body.now);
  const off = r.body.offset_seconds || 0;
  document.getElementById("clock-offset").textContent = off ? "(" + (off / 3600).toFixed(1) + " h ahead)" : "";
  note.textContent = "";
}

async function advanceClock(ev) {
  ev.preventDefault();
  const r = await call("POST", "clock", { advance: document.getElementById("clock-advance").value.trim() });
  document.getElementById("clock-note").textContent = r.status === 200 ? "" : (r.body && r.body.Message) || ("error " + r.status);
  refreshClock();
}

async function refreshFaults() {
  const r = await call("GET", "faults");
  if (r.status !== 200 || !r.body) return;
  const tbody = document.querySelector("#faults tbody");
  const rows = r.body.faults.map(f => {
    const remove = el("button", { class: "secondary", type: "button", "data-remove": f.id }, "Remove");
    remove.addEventListener("click", async () => {
      await call("DELETE", "faults/" + encodeURIComponent(f.id));
      refreshFaults();
    });
    return el("tr", { "data-fault": f.id },
      el("td", {}, f.endpoint || "any"), el("td", { class: "mono" }, short(f.customer_id) || "any"),
      el("td", {}, f.institution || "any"), el("td", { class: "mono" }, short(f.login_id) || "any"),
      el("td", {}, f.status ? f.status + " " + f.flinks_code : ""), el("td", {}, f.latency || ""),
      el("td", {}, f.probability), el("td", {}, f.seed), el("td", {}, f.times || "∞"),
      el("td", {}, f.matched), el("td", {}, f.fired), el("td", {}, remove));
  });
  tbody.replaceChildren(...rows);
}

async function addFault(ev) {
  ev.preventDefault();
  const form = ev.target;
  const rule = {};
  for (const input of form.querySelectorAll("input")) {
    const v = input.value.trim();
    if (!v) continue;
    if (["status", "seed", "times"].includes(input.name)) rule[input.name] = Number(v);
    else if (input.name === "probability") rule[input.name] = Number(v);
    else rule[input.name] = v;
  }
  const r = await call("POST", "faults", rule);
  const err = document.getElementById("fault-error");
  if (r.status === 201) {
    err.textContent = "";
    form.reset();
  } else {
    err.textContent = (r.body && r.body.Message) || ("error " + r.status);
  }
  refreshFaults();
}

function short(id) {
  return id ? id.slice(0, 8) : "";
}

async function refreshLogins() {
  const r = await call("GET", "logins?limit=100");
  if (r.status !== 200 || !r.body) return;
  const rows = r.body.logins.map(l => {
    const tr = el("tr", { class: "clickable", "data-login": l.id },
      el("td", { class: "mono", title: l.id }, short(l.id)), el("td", { class: "mono", title: l.customer_id }, short(l.customer_id)),
      el("td", {}, l.institution), el("td", {}, l.username), el("td", {}, l.state), el("td", {}, when(l.last_refresh)),
      el("td", {}, l.scheduled_refresh ? "yes" : "no"));
    tr.addEventListener("click", () => { state.login = l.id; state.customer = l.customer_id; refreshLogin(); });
    return tr;
  });
  document.querySelector("#logins tbody").replaceChildren(...rows);
}

async function refreshLogin() {
  const section = document.getElementById("login-section");
  if (!state.login) { section.hidden = true; return; }
  const r = await call("GET", "logins/" + encodeURIComponent(state.login) + "?customer_id=" + encodeURIComponent(state.customer));
  if (r.status === 404) { state.login = null; section.hidden = true; return; }
  if (r.status !== 200 || !r.body) return;
  const d = r.body;
  section.hidden = false;
  document.getElementById("login-id").textContent = d.login.id + " (" + d.login.institution + ", " + d.login.state + ")";
  document.querySelector("#sessions tbody").replaceChildren(...d.sessions.map(s => el("tr", {},
    el("td", { class: "mono" }, s.request_id), el("td", {}, s.mode), el("td", {}, s.state),
    el("td", {}, (s.fetch || "") + (s.fetch_code ? " " + s.fetch_code : "")), el("td", {}, when(s.created_at)))));
  document.getElementById("login-fetched").textContent = d.fetched_at ? "fetched " + when(d.fetched_at) + ", " + d.holder : "no data yet";
  document.getElementById("accounts").replaceChildren(...d.accounts.map(a => el("div", { class: "account" },
    el("strong", {}, a.title + " "), el("span", { class: "muted" }, a.type + " · " + a.currency + " · balance " + (a.current || "–")),
    el("table", {}, el("tbody", {}, ...a.transactions.map(t => el("tr", {},
      el("td", {}, t.date), el("td", {}, t.description), el("td", {}, t.amount), el("td", { class: "muted" }, t.balance))))),
    a.more ? el("span", { class: "muted" }, "and " + a.more + " more") : "")));
}

// The journal: newest first, polled with since= the newest id seen, so
// each poll brings only what is new.
async function pollJournal() {
  const r = await call("GET", "journal?limit=200" + (state.lastID ? "&since=" + state.lastID : ""));
  if (r.status === 404) { setStatus("the journal is off on this server (--journal-size 0)", true); return; }
  if (r.status !== 200 || !r.body) return;
  setStatus("live", false);
  const entries = r.body.entries;
  if (!entries.length) return;
  state.lastID = Math.max(state.lastID, entries[0].id);
  const tbody = document.querySelector("#journal tbody");
  const fresh = [];
  for (const e of entries) {
    // A Flinks path shows as its operation; the whole path is its title.
    const op = (e.path || "").replace(/^\/v3\/[^/]+\/BankingServices\//, "");
    const what = e.kind === "request" ? e.method + " " + op : e.event + (e.detail ? " — " + e.detail : "");
    const bad = e.status >= 400;
    const tr = el("tr", { class: "clickable fresh" + (e.kind === "event" ? " event" : "") + (bad ? " bad" : ""), "data-entry": e.id },
      el("td", {}, e.id), el("td", {}, when(e.clock)), el("td", { class: "mono", title: e.path || "" }, what), el("td", { class: "status" }, e.status || ""),
      el("td", {}, e.flinks_code || ""), el("td", {}, e.duration_ms ? e.duration_ms.toFixed(2) : ""),
      el("td", { class: "mono", title: e.request_id || "" }, short(e.request_id)), el("td", { class: "mono", title: e.login_id || "" }, short(e.login_id)));
    if (e.kind === "request") {
      tr.addEventListener("click", () => toggleBodies(tr, e));
    }
    fresh.push(tr);
  }
  tbody.prepend(...fresh);
  while (tbody.children.length > 500) tbody.lastElementChild.remove();
}

function toggleBodies(tr, e) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains("bodies")) { next.remove(); return; }
  const pretty = b => b === undefined || b === null ? "(none)" : JSON.stringify(b, null, 2);
  const cell = el("td", { colSpan: 8 }, el("div", { class: "muted" }, "request"), el("pre", {}, pretty(e.request_body)),
    el("div", { class: "muted" }, "response"), el("pre", {}, pretty(e.response_body)));
  tr.after(el("tr", { class: "bodies" }, cell));
}

async function tick() {
  try {
    await pollJournal();
    await Promise.all([refreshFaults(), refreshLogins(), refreshClock(), refreshLogin()]);
  } catch (err) {
    setStatus("cannot reach the server: " + err.message, true);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("fault-form").addEventListener("submit", addFault);
  document.getElementById("clock-form").addEventListener("submit", advanceClock);
  document.getElementById("key-form").addEventListener("submit", ev => {
    ev.preventDefault();
    state.key = document.getElementById("key").value.trim();
    sessionStorage.setItem("bankfeed-admin-key", state.key);
    document.getElementById("key-form").hidden = true;
    tick();
  });
  tick();
  setInterval(tick, 1000);
});
