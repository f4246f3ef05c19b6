// The dashboard's pages. Each page loads its data once, then follows the server-sent events:
// nothing here polls.
"use strict";

const API = "/dashboard/api";
const STATUSES = ["success", "application error", "action developer error", "whisk internal error"];

// el("a", {href: "/x"}, "text", child…): elements built from text, never from HTML strings.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

async function getJson(path) {
  const response = await fetch(API + path, { credentials: "same-origin" });
  if (response.status === 401) {
    location.assign("/dashboard/login?next=" + encodeURIComponent(location.pathname));
    throw new Error("logged out");
  }
  const body = await response.json();
  return { status: response.status, body };
}

async function postJson(path, doc) {
  const response = await fetch(API + path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-Dashboard-Request": "1" },
    body: JSON.stringify(doc || {}),
  });
  return { status: response.status, body: await response.json() };
}

function statusBadge(status) {
  // A symbol and words, so that colour is never the only sign.
  if (status === null || status === undefined) return el("span", { class: "status" }, "no calls yet");
  if (status === "running") return el("span", { class: "status running" }, "⏳ running");
  const ok = status === "success";
  return el("span", { class: "status " + (ok ? "ok" : "bad") }, (ok ? "✓ " : "✗ ") + status);
}

function when(ms) {
  return new Date(ms).toLocaleString();
}

function pretty(value) {
  return el("pre", { class: "mono" }, JSON.stringify(value, null, 2));
}

function activationLink(id, text) {
  return el("a", { href: "/dashboard/activations/" + id, class: "mono" }, text || id.slice(0, 12));
}

function setTitle(text) {
  document.getElementById("title").textContent = text;
  document.title = text + " · functions-emulator";
}

function content(...nodes) {
  const box = document.getElementById("content");
  box.replaceChildren(...nodes);
  return box;
}

function showReloadFailure(failure) {
  const banner = document.getElementById("reload-banner");
  if (!failure) {
    banner.hidden = true;
    banner.replaceChildren();
    return;
  }
  banner.replaceChildren(
    el("strong", {}, "The project failed to reload; the last good version is still served."),
    el("pre", {}, failure),
  );
  banner.hidden = false;
}

// One event stream per page: the reload banner everywhere, activations where a page wants them.
const listeners = { started: [], activation: [] };

function openEvents() {
  const live = document.getElementById("live");
  const source = new EventSource(API + "/events");
  source.addEventListener("open", () => { live.textContent = "Live updates: on"; });
  source.addEventListener("error", () => { live.textContent = "Live updates: reconnecting…"; });
  source.addEventListener("reload", (e) => showReloadFailure(JSON.parse(e.data).reloadFailure));
  for (const name of Object.keys(listeners)) {
    source.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      for (const listener of listeners[name]) listener(data);
    });
  }
}

// Functions ---------------------------------------------------------------------------------

function durationChart(calls) {
  const width = 120, height = 28, gap = 2;
  const box = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  if (!calls.length) {
    box.setAttribute("aria-label", "no calls yet");
    return box;
  }
  const longest = Math.max(...calls.map((c) => c.ms), 1);
  const bar = width / 20 - gap;
  calls.forEach((call, i) => {
    const h = Math.max(2, Math.round((call.ms / longest) * (height - 2)));
    const rect = svg("rect", {
      x: i * (bar + gap), y: height - h, width: bar, height: h, class: call.success ? "ok" : "bad",
    });
    const title = svg("title", {});
    title.textContent = `${call.ms} ms${call.success ? "" : " (failed)"}`;
    rect.append(title);
    box.append(rect);
  });
  const failed = calls.filter((c) => !c.success).length;
  const shortest = Math.min(...calls.map((c) => c.ms));
  box.setAttribute(
    "aria-label",
    `${calls.length} recent calls, ${shortest} to ${longest} ms` + (failed ? `, ${failed} failed` : ""),
  );
  return box;
}

function limitsText(limits) {
  return `${limits.timeout / 1000} s · ${limits.memory} MB · logs ${limits.logs} MB`;
}

async function functionsPage() {
  setTitle("Functions");
  const { body } = await getJson("/overview");
  showReloadFailure(body.reloadFailure);
  const rows = body.functions.map((fn) =>
    el("tr", { "data-function": fn.path },
      el("td", { "data-label": "Function" },
        el("a", { href: "/dashboard/activations?function=" + encodeURIComponent(fn.path) }, fn.path),
        fn.problem ? el("p", { class: "hint error" }, "Cannot run: " + fn.problem) : null),
      el("td", { "data-label": "Runtime", class: "mono" }, fn.kind),
      el("td", { "data-label": "Web URL" },
        fn.webUrl ? el("a", { href: fn.webUrl, title: fn.webUrl, "aria-label": "web URL of " + fn.path }, "open") : "not web"),
      el("td", { "data-label": "Limits", class: "nowrap" }, limitsText(fn.limits)),
      el("td", { "data-label": "Warm" }, String(fn.warm)),
      el("td", { "data-label": "Last status" },
        fn.lastActivationId
          ? el("a", { href: "/dashboard/activations/" + fn.lastActivationId }, statusBadge(fn.lastStatus))
          : statusBadge(null)),
      el("td", { "data-label": "Recent calls" }, durationChart(fn.durations)),
      el("td", { "data-label": "Invoke" },
        el("a", { href: "/dashboard/invoke?function=" + encodeURIComponent(fn.path) }, "Invoke…")),
    ));
  content(
    el("p", { class: "hint" }, `${body.functions.length} functions in namespace `,
      el("code", {}, body.namespace), " from ", el("code", {}, body.project)),
    el("table", {},
      el("thead", {}, el("tr", {}, ...["Function", "Runtime", "Web URL", "Limits (timeout · memory · logs)", "Warm processes",
        "Last status", "Recent calls (ms)", ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)),
  );
}

// Activations -------------------------------------------------------------------------------

function activationRow(row) {
  return el("tr", { "data-activation": row.activationId },
    el("td", { "data-label": "Time" }, el("time", { datetime: new Date(row.start).toISOString() }, when(row.start))),
    el("td", { "data-label": "Function" }, row.function),
    el("td", { "data-label": "Status" }, statusBadge(row.status)),
    el("td", { "data-label": "Duration" }, row.duration === undefined ? "…" : row.duration + " ms"),
    el("td", { "data-label": "Start" }, row.cold === undefined ? "…" : row.cold ? "cold" : "warm"),
    el("td", { "data-label": "Activation" }, activationLink(row.activationId)),
  );
}

async function activationsPage() {
  setTitle("Activations");
  const params = new URLSearchParams(location.search);
  const filter = { function: params.get("function") || "", status: params.get("status") || "" };
  const page = Number(params.get("page") || "1");
  const [overview, list] = await Promise.all([
    getJson("/overview"),
    getJson("/activations?" + new URLSearchParams({ ...filter, page })),
  ]);
  showReloadFailure(overview.body.reloadFailure);

  const functionSelect = el("select", { id: "filter-function", name: "function" },
    el("option", { value: "" }, "All functions"),
    overview.body.functions.map((fn) =>
      el("option", { value: fn.path, selected: fn.path === filter.function }, fn.path)));
  const statusSelect = el("select", { id: "filter-status", name: "status" },
    el("option", { value: "" }, "Any status"),
    STATUSES.map((s) => el("option", { value: s, selected: s === filter.status }, s)));
  // A filter is a new address: the back button and a shared link both keep it.
  const filters = el("form", { class: "filters", method: "get", action: "/dashboard/activations" },
    el("div", {}, el("label", { for: "filter-function" }, "Function"), functionSelect),
    el("div", {}, el("label", { for: "filter-status" }, "Status"), statusSelect),
    el("div", {}, el("button", { type: "submit" }, "Filter")));

  const tbody = el("tbody", { id: "activation-rows" }, list.body.rows.map(activationRow));
  const empty = el("p", { class: "hint", id: "no-activations", hidden: list.body.rows.length > 0 },
    "No activations yet. They appear here as they happen.");
  const pager = el("nav", { class: "pager", "aria-label": "Pages" },
    page > 1 ? el("a", { href: "?" + new URLSearchParams({ ...filter, page: page - 1 }) }, "← Newer") : null,
    el("span", {}, `Page ${page}`),
    list.body.hasMore ? el("a", { href: "?" + new URLSearchParams({ ...filter, page: page + 1 }) }, "Older →") : null);
  content(
    filters,
    el("p", { class: "hint" }, page === 1 ? "Newest first; new activations appear at the top as they happen." : "Newest first."),
    el("table", {},
      el("caption", { class: "visually-hidden" }, "Activations, newest first"),
      el("thead", {}, el("tr", {}, ...["Time", "Function", "Status", "Duration", "Start", "Activation"]
        .map((h) => el("th", { scope: "col" }, h)))),
      tbody),
    empty,
    pager,
  );
  if (page !== 1) return;
  const matches = (row) => (!filter.function || row.function === filter.function)
    && (!filter.status || row.status === filter.status);
  const place = (row) => {
    const fresh = activationRow(row);
    fresh.classList.add("fresh");
    const existing = tbody.querySelector(`tr[data-activation="${row.activationId}"]`);
    if (existing) existing.replaceWith(fresh);
    else tbody.prepend(fresh);
    while (tbody.rows.length > list.body.limit) tbody.lastElementChild.remove();
    empty.hidden = true;
  };
  listeners.started.push((data) => {
    if (!filter.status && matches({ function: data.function })) {
      place({ activationId: data.activationId, function: data.function, start: Date.now(), status: "running" });
    }
  });
  listeners.activation.push((row) => {
    if (matches(row)) place(row);
    else tbody.querySelector(`tr[data-activation="${row.activationId}"]`)?.remove();
  });
}

// Activation --------------------------------------------------------------------------------

async function activationPage() {
  const id = decodeURIComponent(location.pathname.split("/").pop());
  setTitle("Activation " + id);
  const { status, body } = await getJson("/activations/" + encodeURIComponent(id));
  if (status === 404) {
    content(el("p", {}, "No record yet: the activation is still running, or its record has expired. This page shows it when it ends."));
    listeners.activation.push((row) => { if (row.activationId === id) activationPage(); });
    return;
  }
  const logs = body.logs.length
    ? el("ol", { class: "logs", id: "logs" }, body.logs.map((line) =>
      el("li", { class: line.stream || "other" },
        line.time ? el("time", {}, line.time) : null,
        el("span", { class: "stream" }, line.stream ? line.stream + ":" : ""),
        line.text)))
    : el("p", { class: "hint", id: "logs" }, "No log lines.");
  content(
    el("dl", { class: "facts" },
      el("dt", {}, "Function"), el("dd", {}, el("a", { href: "/dashboard/activations?function=" + encodeURIComponent(body.function) }, body.function)),
      el("dt", {}, "Status"), el("dd", { id: "activation-status" }, statusBadge(body.status)),
      el("dt", {}, "Started"), el("dd", {}, when(body.start)),
      el("dt", {}, "Duration"), el("dd", {}, body.duration + " ms"),
      el("dt", {}, "Start"), el("dd", {}, body.cold ? "cold (a new process)" : "warm (a reused process)"),
      body.trigger ? [el("dt", {}, "Trigger"), el("dd", {}, body.trigger)] : null,
      el("dt", {}, "Raw record"), el("dd", {}, el("a", { href: API + "/activations/" + encodeURIComponent(id) + "/raw" }, "JSON"))),
    runAgain(id, body),
    el("h2", {}, body.web ? "Request" : "Parameters"),
    el("div", { id: "request" }, requestSection(body)),
    el("h2", {}, "Result"), pretty(body.result),
    el("h2", {}, "Logs"), logs,
    el("h2", {}, "Annotations"),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Key"), el("th", { scope: "col" }, "Value"))),
      el("tbody", {}, body.annotations.map((a) =>
        el("tr", {}, el("td", { "data-label": "Key", class: "mono" }, a.key),
          el("td", { "data-label": "Value", class: "mono" }, JSON.stringify(a.value)))))),
  );
}

// What the activation was invoked with: its parameters, or a web call's HTTP request.
function requestSection(body) {
  if (!body.parametersKnown) {
    return el("p", { class: "hint" }, "Not kept: the activation was interrupted by a stop, or recorded before the emulator kept requests.");
  }
  if (body.parametersCut) {
    return [
      el("p", { class: "hint" }, `Cut: the request was ${body.parametersCut.size} bytes, more than the emulator keeps (2 MB); its beginning:`),
      el("pre", { class: "mono" }, body.parametersCut.prefix),
    ];
  }
  if (body.web) {
    return [
      el("p", {}, el("code", { id: "web-request" }, `${body.web.method} ${body.web.url}`)),
      el("table", {}, el("tbody", {}, body.web.headers.map(([name, value]) =>
        el("tr", {}, el("td", { class: "mono" }, name), el("td", { class: "mono" }, value))))),
      body.web.body ? el("pre", { class: "mono" }, body.web.body) : el("p", { class: "hint" }, "No body."),
    ];
  }
  return pretty(body.parameters);
}

// "Run again" (the same call, through the replay the CLI uses) and the test download.
function runAgain(id, body) {
  const replayable = body.parametersKnown && !body.parametersCut;
  const again = el("button", { type: "button", id: "run-again", disabled: !replayable }, "Run again");
  const download = replayable
    ? el("a", { href: API + "/activations/" + encodeURIComponent(id) + "/test", download: "", id: "download-test" }, "Download as a test")
    : null;
  const outcome = el("section", { id: "run-again-result", "aria-live": "polite" });
  again.addEventListener("click", async () => {
    again.disabled = true;
    outcome.replaceChildren(el("p", {}, "Running again…"));
    try {
      const { status, body: answer } = await postJson("/activations/" + encodeURIComponent(id) + "/replay");
      if (answer.error) {
        outcome.replaceChildren(el("p", { class: "error" }, `Error ${status}: ${answer.error}`));
      } else if (answer.record) {
        const record = answer.record;
        const same = record.response.status === body.status
          && JSON.stringify(record.response.result) === JSON.stringify(body.result);
        outcome.replaceChildren(
          el("h2", {}, "Run again"),
          el("p", {}, statusBadge(record.response.status), ` in ${record.duration} ms · `,
            activationLink(answer.activationId, "activation " + answer.activationId),
            same ? " · the same result" : " · a different result"),
          pretty(record.response.result));
      } else {
        outcome.replaceChildren(el("p", {}, "Started; still running: ", activationLink(answer.activationId, answer.activationId)));
      }
    } finally {
      again.disabled = false;
    }
  });
  return el("div", {}, el("p", { class: "actions" }, again, " ", download), outcome);
}

// Invoke ------------------------------------------------------------------------------------

function parseParams(text) {
  if (!text.trim()) return { value: {} };
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return { error: "Parameters must be a JSON object, like {\"name\": \"Ada\"}." };
    }
    return { value };
  } catch (error) {
    return { error: "Not valid JSON: " + error.message };
  }
}

async function invokePage() {
  setTitle("Invoke");
  const { body } = await getJson("/overview");
  showReloadFailure(body.reloadFailure);
  const wanted = new URLSearchParams(location.search).get("function");
  const select = el("select", { id: "function", name: "function", required: true },
    body.functions.map((fn) => el("option", { value: fn.path, selected: fn.path === wanted }, fn.path)));
  const params = el("textarea", { id: "params", name: "params", spellcheck: "false", "aria-describedby": "params-help params-error" }, "{}");
  const paramsError = el("p", { id: "params-error", class: "error", "aria-live": "polite" });
  const blocking = el("input", { type: "checkbox", id: "blocking", name: "blocking", checked: true });
  const button = el("button", { type: "submit", id: "invoke" }, "Invoke");
  const result = el("section", { class: "result", id: "result", "aria-live": "polite" });
  const validate = () => {
    const parsed = parseParams(params.value);
    paramsError.textContent = parsed.error || "";
    params.setAttribute("aria-invalid", parsed.error ? "true" : "false");
    return parsed;
  };
  params.addEventListener("input", validate);
  const form = el("form", { id: "invoke-form" },
    el("label", { for: "function" }, "Function"), select,
    el("label", { for: "params" }, "Parameters (JSON object)"), params,
    el("p", { id: "params-help", class: "hint" }, "Merged over the function's bound parameters, as an API call's body is."),
    paramsError,
    el("p", {}, el("label", { class: "inline", for: "blocking" }, blocking, "Wait for the result (blocking)")),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const parsed = validate();
    if (parsed.error) { params.focus(); return; }
    button.disabled = true;
    result.replaceChildren(el("p", {}, "Invoking…"));
    try {
      const { status, body: answer } = await postJson("/invoke", {
        function: select.value, params: parsed.value, blocking: blocking.checked,
      });
      if (answer.error) {
        result.replaceChildren(el("p", { class: "error" }, `Error ${status}: ${answer.error}`));
      } else if (answer.record) {
        const record = answer.record;
        result.replaceChildren(
          el("h2", {}, "Result"),
          el("p", {}, statusBadge(record.response.status), ` in ${record.duration} ms · `, activationLink(answer.activationId, "activation " + answer.activationId)),
          pretty(record.response.result));
      } else {
        result.replaceChildren(el("p", {}, "Started; still running. Its record: ",
          activationLink(answer.activationId, answer.activationId)));
      }
    } finally {
      button.disabled = false;
    }
  });
  content(form, result);
}

// Triggers ----------------------------------------------------------------------------------

function triggerState(trigger) {
  if (!trigger.enabled) return "disabled (fires only on demand)";
  if (!trigger.firing) return "not firing (--no-triggers)";
  return "enabled";
}

async function triggersPage() {
  setTitle("Triggers");
  const { body } = await getJson("/triggers");
  const message = el("p", { id: "fire-result", "aria-live": "polite" });
  if (!body.triggers.length) {
    content(el("p", { class: "hint" }, "This project has no scheduled triggers."), message);
    return;
  }
  const rows = body.triggers.map((t) => {
    const fire = el("button", { type: "button", "data-trigger": t.name, "aria-label": `Fire ${t.name} now` }, "Fire now");
    fire.addEventListener("click", async () => {
      fire.disabled = true;
      const { status, body: answer } = await postJson("/triggers/" + encodeURIComponent(t.name) + "/fire");
      fire.disabled = false;
      if (answer.error) {
        message.replaceChildren(el("span", { class: "error" }, `Error ${status}: ${answer.error}`));
        return;
      }
      await triggersPage();
      document.getElementById("fire-result").replaceChildren(`Fired ${t.name}: `,
        activationLink(answer.activationId, "activation " + answer.activationId));
    });
    return el("tr", { "data-trigger": t.name },
      el("td", { "data-label": "Trigger", class: "nowrap" }, t.name),
      el("td", { "data-label": "Function" }, t.function),
      el("td", { "data-label": "Cron", class: "mono nowrap" }, t.cron),
      el("td", { "data-label": "State" }, triggerState(t)),
      el("td", { "data-label": "Next run", class: "nowrap" }, t.nextRun || "—"),
      el("td", { "data-label": "Last run", class: "last-run nowrap" }, t.lastRun || "never"),
      el("td", { "data-label": "Fire" }, fire));
  });
  content(
    el("p", { class: "hint" }, "Times are UTC, as the platform schedules them."),
    el("table", {},
      el("thead", {}, el("tr", {}, ...["Trigger", "Function", "Cron", "State", "Next run", "Last run", ""]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows)),
    message);
}

// -------------------------------------------------------------------------------------------

const PAGES = {
  functions: functionsPage,
  activations: activationsPage,
  activation: activationPage,
  invoke: invokePage,
  triggers: triggersPage,
};

document.addEventListener("DOMContentLoaded", async () => {
  const page = document.body.dataset.page;
  const nav = page === "activation" ? "activations" : page;
  document.querySelector(`[data-nav="${nav}"]`)?.setAttribute("aria-current", "page");
  openEvents();
  try {
    await PAGES[page]();
  } catch (error) {
    content(el("p", { class: "error" }, "Could not load this page: " + error.message));
  }
});
