// lup_opt app: the page. Plain JavaScript, no build step; every request goes to the app's own JSON API
// (documented at /docs). Views: a scenario (run form, editor), a run (progress, map, panels), a comparison.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const state = { scenarios: [], runs: [], view: null, timer: null };

// A small element builder: h("div.card", {onclick}, child, ...)
function h(tag, props, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "html") el.innerHTML = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false)
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

async function api(path, options = {}) {
  const init = { headers: { "Content-Type": "application/json" }, ...options };
  if (init.body && typeof init.body !== "string") init.body = JSON.stringify(init.body);
  const response = await fetch(path, init);
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok && response.status !== 422) throw new Error((data && data.detail) || response.statusText);
  return data;
}

const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();

function fmt(value, digits = 0) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value !== "number") return String(value);
  if (!isFinite(value)) return value > 0 ? "∞" : "−∞";
  const abs = Math.abs(value);
  const d = abs !== 0 && abs < 1 ? Math.max(digits, 3) : abs < 100 ? Math.max(digits, 1) : digits;
  if (abs < 0.5 * 10 ** -d) return "0";  // no "-0"
  return value.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

function table(rows, columns, opts = {}) {
  if (!rows || !rows.length) return h("p.muted", { text: opts.empty || "Nothing to show." });
  const cols = columns || Object.keys(rows[0]).map((k) => [k, k.replace(/_ha$/, " ha").replace(/_/g, " ")]);
  return h("div.table-wrap", {}, h("table.data", {},
    h("thead", {}, h("tr", {}, cols.map(([k, label]) => h(typeof rows[0][k] === "number" && !YEAR_COLUMNS.has(k) ? "th.num" : "th", { text: label })))),
    h("tbody", {}, rows.map((r) => h("tr", { class: opts.rowClass ? opts.rowClass(r) : null },
      cols.map(([k]) => {
        const v = r[k];
        if (YEAR_COLUMNS.has(k) || (k === "period" && v !== null)) return h("td", { text: v === null || v === undefined ? "—" : String(v) });
        if (k === "relative" && typeof v === "number") return h("td.num", { text: `${fmt(100 * v, 1)} %` });
        return h(typeof v === "number" ? "td.num" : "td", { text: fmt(v, opts.digits) });
      }))))));
}

const YEAR_COLUMNS = new Set(["period", "year", "point"]);

function pill(text, kind) { return h(`span.pill.${kind || text}`, { text }); }

// Side bar ---------------------------------------------------------------------------------------

async function loadScenarios() {
  state.scenarios = await api("/api/scenarios");
  const list = $("#scenario-list");
  list.replaceChildren(...state.scenarios.map((s) => h("li", {},
    h("a", { href: `#/scenario/${s.name.split("/").map(encodeURIComponent).join("/")}`, "data-scenario": s.name },
      h("strong", { text: s.name }), h("span.muted", { text: s.description.slice(0, 80) })))));
}

async function loadRuns() {
  state.runs = await api("/api/runs");
  const busy = state.runs.filter((r) => r.state === "running" || r.state === "queued");
  $("#queue-state").textContent = busy.length ? `${busy.length} going` : "";
  $("#run-list").replaceChildren(...state.runs.slice(0, 60).map((r) => h("li", {},
    h("a", { href: `#/run/${encodeURIComponent(r.id)}`, "data-run": r.id },
      h("span.run-name", { text: r.id }),
      r.overrides && r.overrides.length ? h("span.run-sets", { text: r.overrides.join("  ") }) : null,
      h("span.run-meta", {}, pill(r.state), r.status && r.state === "done" && r.status !== "done" ? pill(r.status, "status-" + r.status) : null,
        r.objective !== null && r.objective !== undefined ? h("span.muted", { text: `${fmt(r.objective)} ${r.unit || ""}` }) : null)))));
  return busy.length;
}

function poll() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    try {
      const busy = await loadRuns();
      if (state.view && state.view.refresh) await state.view.refresh();
      if (busy || (state.view && state.view.live)) poll();
    } catch (e) { poll(); }
  }, 900);
}

// Router -----------------------------------------------------------------------------------------

async function route() {
  const hash = location.hash.slice(1) || "/";
  const [, view, ...rest] = hash.split("/");
  const arg = rest.join("/");  // a scenario's name may hold slashes (scenarios/default)
  const main = $("#main");
  state.view = null;
  try {
    if (view === "scenario") state.view = await scenarioView(main, decodeURIComponent(arg));
    else if (view === "run") state.view = await runView(main, decodeURIComponent(arg));
    else if (view && view.startsWith("compare")) state.view = await compareView(main, new URLSearchParams(hash.split("?")[1] || ""));
    else main.replaceChildren(h("section.card.intro", {}, h("h1", { text: "Plan land use with the reasons in view" }),
      h("p", { text: "Open a scenario on the left to edit it and run it. Runs solve in the background, one process each, and are kept under their name in the workspace's runs/ folder." })));
  } catch (e) {
    main.replaceChildren(h("section.card.error", {}, h("h2", { text: "Cannot show this" }), h("p", { text: e.message })));
  }
  document.querySelectorAll(".side a").forEach((a) => a.classList.toggle("active", a.getAttribute("href") === location.hash));
  poll();
}

// Scenario view: run form and editor -------------------------------------------------------------

// Key hints from the scenario schema: the keys allowed where the cursor is, read from the YAML's indentation.
let schemaCache = null;
function schemaNode(schema, node) {
  for (let k = 0; k < 10 && node; k++) {
    if (node.$ref) node = schema.$defs[node.$ref.split("/").pop()];
    else if (node.anyOf) node = node.anyOf.find((n) => n.$ref || n.properties || n.additionalProperties || n.items) || null;
    else if (node.allOf && node.allOf.length === 1) node = node.allOf[0];
    else break;
  }
  return node;
}
function yamlPath(lines, index) {
  // the keys above the cursor's line, each less indented than the one below it
  const indent = (l) => l.match(/^ */)[0].length;
  const path = [];
  let level = indent(lines[index] || "");
  for (let i = index - 1; i >= 0 && level > 0; i--) {
    const line = lines[i];
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const d = indent(line);
    if (d < level) {
      const m = line.trim().match(/^(- )?([^:#\s][^:#]*):/);
      if (line.trim().startsWith("- ")) path.unshift("[]");
      if (m) path.unshift(m[2].trim());
      level = d;
    }
  }
  return path.filter((p, i) => !(p === "[]" && path[i - 1] === "[]"));
}
function keysAt(schema, path) {
  let node = schemaNode(schema, schema);
  for (const key of path) {
    if (!node) return null;
    if (key === "[]") node = schemaNode(schema, node.items);
    else if (node.properties && node.properties[key]) node = schemaNode(schema, node.properties[key]);
    else if (node.additionalProperties && typeof node.additionalProperties === "object") node = schemaNode(schema, node.additionalProperties);
    else return null;
    if (node && node.type === "array" && node.items && path[path.indexOf(key) + 1] !== "[]") node = schemaNode(schema, node.items);
  }
  if (!node) return null;
  if (node.properties) return Object.entries(node.properties).map(([k, v]) => [k, (schemaNode(schema, v) || {}).description || v.description || v.title || ""]);
  if (node.additionalProperties) return [["NAME", "any name of your own"]];
  return null;
}

async function scenarioView(main, name) {
  const detail = await api(`/api/scenarios/detail?${q({ name })}`);
  const edits = {};           // file -> edited text
  const grids = {};           // file -> {columns, rows}
  let current = "scenario.yaml";
  let issues = [];
  let timer = null;

  const overrideRows = h("div.override-rows");
  const runIssues = h("div.issues");
  const variantBoxes = Object.entries(detail.variants).map(([v, body]) =>
    h("label.check.variant", { title: body }, h("input", { type: "checkbox", value: v, onchange: checkRun }), v));
  const kind = h("select", { name: "kind" },
    h("option", { value: "solve", text: "Solve: the optimal plan" }),
    h("option", { value: "explain", text: "Explain: why it cannot be solved" }),
    h("option", { value: "evaluate", text: "Evaluate: business as usual against the targets" }),
    h("option", { value: "frontier", text: "Frontier: cost against LDN net" }),
    h("option", { value: "alternatives", text: "Alternatives: near-optimal, most different" }));
  const timeLimit = h("input", { type: "number", min: "1", step: "1", placeholder: "none", name: "time_limit" });
  const report = h("input", { type: "checkbox", name: "report" });
  const runButton = h("button.primary", { type: "button", id: "run-button", onclick: startRun, text: "Run" });
  const checkNote = h("span.muted", { id: "check-note" });
  const checkButton = h("button", { type: "button", id: "check-button", text: "Check before solving", onclick: async () => {
    checkNote.textContent = "building the model and running the checks…";
    const { variants, overrides } = chosen();
    const result = await api("/api/scenarios/validate", { method: "POST", body: { name, variants, overrides, checks: true } });
    const warnings = result.issues.filter((i) => i.severity === "warning");
    checkNote.textContent = result.valid ? `no error found before solving (${warnings.length} warning${warnings.length === 1 ? "" : "s"})` : "";
    runIssues.replaceChildren(...result.issues.map((i) => h(`div.issue${i.severity === "warning" ? ".warning" : ""}`, { text: i.text || i.message })));
  } });

  function addOverride(text = "") {
    const input = h("input.override", { type: "text", value: text, placeholder: "e.g. ldn.scope=jurisdiction", oninput: checkRunSoon });
    const row = h("div.override-row", {}, input, h("button.link", { type: "button", text: "remove", onclick: () => { row.remove(); checkRun(); } }),
      h("div.field-error"));
    overrideRows.append(row);
    input.focus();
  }
  const chosen = () => ({
    variants: variantBoxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value),
    overrides: [...overrideRows.querySelectorAll("input.override")].map((i) => i.value.trim()).filter(Boolean),
  });
  let runTimer = null;
  function checkRunSoon() { clearTimeout(runTimer); runTimer = setTimeout(checkRun, 350); }
  async function checkRun() {
    const { variants, overrides } = chosen();
    const result = await api("/api/scenarios/validate", { method: "POST", body: { name, variants, overrides } });
    overrideRows.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
    const rows = [...overrideRows.querySelectorAll(".override-row")];
    const general = [];
    for (const issue of result.issues.filter((i) => i.severity === "error")) {
      const key = (issue.where || "").split(" ")[0];
      const row = rows.find((r) => { const v = $("input", r).value; return issue.file === "--set" ? v.startsWith(key) : key && v.split("=")[0].trim().startsWith(key); });
      if (row) $(".field-error", row).textContent = issue.message; else general.push(issue.text);
    }
    runIssues.replaceChildren(...general.map((t) => h("div.issue", { text: t })));
    runButton.disabled = !result.valid;
    return result.valid;
  }
  // A small sweep: one solve per value of one key (the batch endpoint queues them all).
  const sweepKey = h("input", { type: "text", id: "sweep-key", placeholder: "e.g. targets.water_2030.value" });
  const sweepValues = h("input", { type: "text", id: "sweep-values", placeholder: "e.g. 13e6, 14e6, 15e6" });
  const sweepNote = h("span.muted");
  async function startSweep() {
    const values = sweepValues.value.split(",").map((v) => v.trim()).filter(Boolean);
    if (!sweepKey.value.trim() || !values.length) { sweepNote.textContent = "give a key and at least one value"; return; }
    const { variants, overrides } = chosen();
    const runs = await api("/api/runs/batch", { method: "POST", body: { scenario: name, variants, overrides, grid: { [sweepKey.value.trim()]: values } } });
    sweepNote.textContent = `${runs.length} runs queued`;
    await loadRuns(); poll();
  }
  async function startRun() {
    if (!(await checkRun())) return;
    const { variants, overrides } = chosen();
    const body = { scenario: name, kind: kind.value, variants, overrides, report: report.checked };
    if (timeLimit.value) body.time_limit = Number(timeLimit.value);
    const run = await api("/api/runs", { method: "POST", body });
    await loadRuns();
    location.hash = `#/run/${encodeURIComponent(run.id)}`;
  }

  // The editor: scenario.yaml as text with its line numbers; tables as a grid.
  const tabs = h("div.tabs");
  const body = h("div.file-body");
  const issueList = h("div.issues", { id: "edit-issues" });
  const validity = h("span.validity", { id: "validity" });
  const save = h("button", { type: "button", id: "save-button", disabled: true, onclick: saveEdits, text: "Save" });
  const files = ["scenario.yaml", ...Object.values(detail.tables), ...detail.other_tables];

  function renderTabs() {
    tabs.replaceChildren(...files.map((f) => h(`button.tab${f === current ? ".on" : ""}${issues.some((i) => i.file === f) ? ".bad" : ""}${edits[f] !== undefined ? ".edited" : ""}`,
      { type: "button", "data-file": f, text: f, onclick: () => { current = f; render(); } })));
  }
  async function render() {
    renderTabs();
    if (current === "scenario.yaml") {
      const text = edits[current] ?? detail.yaml;
      const gutter = h("pre.gutter");
      const area = h("textarea.yaml", { spellcheck: "false", id: "yaml-editor", oninput: (e) => { edits[current] = e.target.value; paintGutter(); validateSoon(); } });
      area.value = text;
      area.addEventListener("scroll", () => (gutter.scrollTop = area.scrollTop));
      const hint = h("div.key-hint", { id: "key-hint" });
      const showHint = async () => {
        schemaCache = schemaCache || (await api("/api/scenarios/schema"));
        const lines = area.value.split("\n");
        const line = area.value.slice(0, area.selectionStart).split("\n").length - 1;
        const path = yamlPath(lines, line);
        const keys = keysAt(schemaCache, path);
        hint.replaceChildren(h("span.label", { text: `keys allowed at ${path.filter((p) => p !== "[]").join(".") || "the top level"}` }),
          ...(keys || []).map(([k, d]) => h("code", { title: d, text: k })));
      };
      area.addEventListener("keyup", showHint);
      area.addEventListener("click", showHint);
      function paintGutter() {
        const n = area.value.split("\n").length;
        const bad = new Set(issues.filter((i) => i.file === "scenario.yaml" && i.line).map((i) => i.line));
        gutter.replaceChildren(...Array.from({ length: n }, (_, k) => h(bad.has(k + 1) ? "span.bad" : "span", { text: `${k + 1}\n` })));
      }
      paintGutter();
      body.replaceChildren(h("div.code", {}, gutter, area), hint);
      body.paint = paintGutter;
    } else {
      if (!grids[current]) grids[current] = await api(`/api/scenarios/table?${q({ name, file: current })}`);
      const grid = grids[current];
      const marks = issues.filter((i) => i.file === current);
      const badRows = new Map(marks.filter((i) => i.line).map((i) => [i.line - 2, i]));
      const changed = () => { edits[current] = toCsv(grid); validateSoon(); };
      const locked = grid.truncated;  // a table shown in part is never written back: rows would be lost
      const head = h("tr", {}, h("th.rowno", { text: "" }), grid.columns.map((c) => h("th", { text: c })), locked ? "" : h("th.rowno", { text: "" }));
      const rows = grid.rows.map((row, r) => h(`tr${badRows.has(r) ? ".bad" : ""}`, { title: badRows.has(r) ? badRows.get(r).message : null },
        h("td.rowno", { text: r + 2 }),
        grid.columns.map((c, k) => h(`td${badRows.has(r) && badRows.get(r).column === c ? ".badcell" : ""}`, {},
          h("input.cell", { value: row[k] ?? "", "data-row": r, "data-col": k, readonly: locked, oninput: (e) => { grid.rows[r][k] = e.target.value; changed(); } }))),
        locked ? "" : h("td.rowno", {}, h("button.link.remove-row", { type: "button", title: "delete this row", text: "×", onclick: () => { grid.rows.splice(r, 1); changed(); render(); } }))));
      const addRow = h("button.link", { type: "button", id: "add-row", text: "+ add a row", onclick: () => { grid.rows.push(grid.columns.map(() => "")); changed(); render(); } });
      body.replaceChildren(h("div.grid-wrap", {}, h("table.grid", {}, h("thead", {}, head), h("tbody", {}, rows))),
        locked ? h("p.muted", { text: `A large table: its first ${grid.rows.length.toLocaleString("en-US")} rows are shown, read-only; edit it outside the app.` }) : addRow);
      body.paint = null;
    }
  }
  function toCsv(grid) {
    const cell = (v) => (/[",\n]/.test(v) ? `"${String(v).replace(/"/g, '""')}"` : v);
    return [grid.columns, ...grid.rows].map((r) => r.map((v) => cell(v ?? "")).join(",")).join("\n") + "\n";
  }
  function validateSoon() { clearTimeout(timer); validity.textContent = "checking…"; validity.className = "validity"; timer = setTimeout(validateEdits, 300); }
  async function validateEdits() {
    const result = await api("/api/scenarios/validate", { method: "POST", body: { name, files: edits } });
    issues = result.issues.filter((i) => i.severity === "error");
    showIssues(result.valid);
  }
  function showIssues(valid) {
    validity.textContent = valid ? "valid" : `${issues.length} issue${issues.length === 1 ? "" : "s"}`;
    validity.className = "validity " + (valid ? "ok" : "bad");
    save.disabled = !valid || !Object.keys(edits).length;
    issueList.replaceChildren(...issues.map((i) => h("div.issue", { onclick: () => { current = i.file; render(); } },
      h("strong", { text: i.file }), i.where ? h("span.where", { text: i.where }) : "", h("span", { text: i.message }))));
    renderTabs();
    if (body.paint) body.paint(); else if (current !== "scenario.yaml") render();
  }
  async function saveEdits() {
    const result = await api("/api/scenarios/save", { method: "POST", body: { name, files: edits } });
    if (result.saved) {
      for (const k of Object.keys(edits)) delete edits[k];
      Object.assign(detail, await api(`/api/scenarios/detail?${q({ name })}`));
      validity.textContent = "saved"; validity.className = "validity ok"; save.disabled = true; renderTabs();
    } else { issues = result.issues; showIssues(false); }
  }

  main.replaceChildren(
    h("section.card", {}, h("div.head", {}, h("h1", { text: detail.title }), h("span.muted", { text: `workspace/${name}` })),
      h("p.desc", { text: detail.description })),
    h("section.card", { id: "run-form" }, h("h2", { text: "Run" }),
      h("div.form-row", {}, h("label", {}, "What ", kind), h("label", {}, "Time limit (s) ", timeLimit), h("label.check", {}, report, " write report.html")),
      variantBoxes.length ? h("div.variants", {}, h("span.label", { text: "Variants" }), variantBoxes) : "",
      h("div.overrides", {}, h("span.label", {}, "Overrides ", h("span.muted", { text: "(as --set key=value)" })), overrideRows,
        h("button.link", { type: "button", id: "add-override", text: "+ add an override", onclick: () => addOverride() })),
      runIssues, h("div.actions", {}, runButton, checkButton, checkNote),
      h("details.sweep", {}, h("summary", { text: "Sweep: one solve per value of a key" }),
        h("div.form-row", {}, h("label", {}, "Key ", sweepKey), h("label", {}, "Values ", sweepValues),
          h("button", { type: "button", id: "sweep-button", text: "Queue the runs", onclick: startSweep }), sweepNote))),
    h("section.card", { id: "editor" }, h("div.head", {}, h("h2", { text: "Edit the scenario" }), validity, save),
      h("p.muted", { text: "Checked as you type with the scenario schema and the same messages as lup-opt validate; only a valid scenario is saved." }),
      tabs, issueList, body));
  await render();
  return {};
}

// Run view: progress, map, panels ------------------------------------------------------------------

async function runView(main, id) {
  let run = await api(`/api/runs/${encodeURIComponent(id)}`);
  const header = h("section.card.run-head");
  const progress = h("section.card.progress");
  const results = h("div.results");
  main.replaceChildren(header, progress, results);
  let shown = null;

  function paintHeader() {
    const actions = [];
    if (run.state === "running" || run.state === "queued")
      actions.push(h("button.danger", { type: "button", id: "cancel-button", text: "Cancel", onclick: async () => { await api(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: "POST" }); poll(); } }));
    if (run.result && run.result.report)
      actions.push(h("a.button", { href: `/api/runs/${encodeURIComponent(id)}/report`, target: "_blank", text: "report.html" }));
    header.replaceChildren(h("div.head", {}, h("h1", { text: run.id }), pill(run.state),
      run.status && run.state !== "running" && run.status !== run.state ? pill(run.status, "status-" + run.status) : "", h("span.spacer"), ...actions),
      h("div.facts", {},
        fact("scenario", run.scenario), fact("kind", run.kind),
        fact("variants", run.variants.join(", ") || "none"), fact("overrides", run.overrides.join("  ") || "none"),
        run.objective !== null && run.objective !== undefined ? fact("objective", `${fmt(run.objective)} ${run.unit || ""}`) : "",
        run.seconds !== null ? fact("time", `${fmt(run.seconds, 1)} s`) : "",
        run.parent ? fact("relaxes", h("a", { href: `#/run/${encodeURIComponent(run.parent)}`, text: run.parent })) : ""),
      run.message ? h("p.message", { text: run.message }) : "",
      run.issues && run.issues.length ? h("div.issues", {}, run.issues.map((t) => h("div.issue", { text: t }))) : "");
  }
  function paintProgress() {
    const p = run.progress;
    const live = run.state === "running" || run.state === "queued";
    progress.hidden = !live && run.state === "done" && !(p.highs && p.highs.length);
    const log = h("pre.log", { id: "highs-log", text: (p.highs || []).slice(-60).join("\n") || (live ? "waiting for HiGHS…" : "") });
    progress.replaceChildren(h("div.head", {}, h("h2", { text: live ? "Progress" : "Solver log" }),
      live ? h("span.stage", { id: "stage", text: p.stage }) : h("span.muted", { text: `${p.highs_lines} lines of HiGHS log` })),
      h("ol.stages", {}, p.stages.map((s) => h("li", { text: s.stage }))), live || p.highs.length ? h("details", { open: live }, h("summary", { text: "HiGHS log" }), log) : "");
    log.scrollTop = log.scrollHeight;
  }
  async function paintResults() {
    if (shown === run.state) return;
    shown = run.state;
    if (run.state !== "done" || !run.result) { results.replaceChildren(); return; }
    const r = run.result;
    if (r.kind === "tradeoff" && r.plans.length) return frontierPanel(results, id, r);
    if (!r.has_plan) return diagnosisPanel(results, id);
    return planPanels(results, id, r, null);
  }
  function fact(label, value) { return h("div.fact", {}, h("span.label", { text: label }), h("span", {}, value)); }
  paintHeader(); paintProgress(); await paintResults();
  if (run.state === "done") main.append(progress);  // a finished run's log goes below its results
  return {
    live: run.state === "running" || run.state === "queued",
    async refresh() {
      if (!(run.state === "running" || run.state === "queued")) return;
      run = await api(`/api/runs/${encodeURIComponent(id)}`);
      this.live = run.state === "running" || run.state === "queued";
      paintHeader(); paintProgress(); await paintResults();
      if (run.state === "done") main.append(progress);
    },
  };
}

function keyFigures(summary) {
  const k = summary.key_figures || {};
  const items = [];
  if (summary.objective !== null && summary.objective !== undefined) items.push(["objective", `${fmt(summary.objective)} ${summary.objective_unit || ""}`]);
  if (k.changed_ha !== undefined) items.push([`land changed by ${k.year}`, `${fmt(k.changed_ha)} ha (${fmt((100 * k.changed_ha) / (k.area_ha || 1), 1)} %)`]);
  if (k.ldn_rows !== undefined) items.push(["LDN balances met", `${k.ldn_met} of ${k.ldn_rows}`, k.ldn_met < k.ldn_rows ? "bad" : "ok"]);
  if (k.binding !== undefined) items.push(["binding targets", String(k.binding_targets.length), null, k.binding_targets.join(", ")]);
  return h("div.kpis", {}, items.map(([label, value, kind, more]) => h(`div.kpi${kind ? "." + kind : ""}`, {}, h("span.label", { text: label }), h("strong", { text: value }),
    more ? h("span.more", { text: more }) : "")));
}

async function planPanels(root, id, summary, plan) {
  const tabs = ["Map", "LDN balance", "Targets and prices", "Food, finance, jobs"];
  const bar = h("div.tabs.big");
  const body = h("section.card.panel");
  root.replaceChildren(keyFigures(summary), bar, body);
  const open = async (name) => {
    bar.querySelectorAll(".tab").forEach((t) => t.classList.toggle("on", t.textContent === name));
    body.replaceChildren(h("p.muted", { text: "loading…" }));
    if (name === "Map") await mapPanel(body, id, summary, plan);
    else if (name === "LDN balance") await ldnPanel(body, id, plan);
    else if (name === "Targets and prices") await targetsPanel(body, id, plan);
    else await linkagePanels(body, id, plan);
  };
  bar.replaceChildren(...tabs.map((t) => h("button.tab", { type: "button", text: t, "data-tab": t, onclick: () => open(t) })));
  await open("Map");
}

function yearOptions(summary) { return [["0", "baseline"], ...summary.years.map((y) => [String(y), String(y)])]; }

async function mapPanel(body, id, summary, plan, opts = {}) {
  let layer = "use";
  let year = String(summary.assessment_year || summary.years[summary.years.length - 1]);
  const img = h("img.map", { id: opts.imgId || "map-image", alt: "map of the plan" });
  const marker = h("div.marker", { hidden: true });
  const caption = h("h3.map-caption");
  const titles = { use: "Land use (the use on most of each unit)", change: "Share of each unit under another use than at baseline", ldn: "LDN status of each land unit" };
  const legend = h("div.legend");
  const note = h("p.muted.note");
  const detail = h("div.unit-detail", { id: "unit-detail" }, h("p.muted", { text: "Click a land unit for its uses, change, LDN class and the use closest to entering." }));
  const layers = [["use", "Land use"], ["change", "Change"], ["ldn", "LDN status"]];
  const layerBar = h("div.seg", {}, layers.map(([k, label]) => h(`button${k === layer ? ".on" : ""}`, { type: "button", "data-layer": k, text: label, onclick: (e) => { layer = k; layerBar.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b === e.target)); paint(); } })));
  const yearSel = h("select", { id: "year-select", onchange: (e) => { year = e.target.value; paint(); } },
    yearOptions(summary).map(([v, label]) => h("option", { value: v, text: label, selected: v === year })));
  const base = `/api/runs/${encodeURIComponent(id)}`;
  async function paint() {
    const y = layer === "use" ? year : (year === "0" ? String(summary.years[0]) : year);
    const params = q({ layer, year: y, plan });
    img.src = `${base}/map.png?${params}`;
    const info = await api(`${base}/map?${params}`);
    caption.textContent = `${titles[layer]}, ${layer === "use" && year === "0" ? "baseline" : y}`;
    legend.replaceChildren(...info.legend.map((l) => h("span.key", {}, h("i", { style: `background:${l.colour}` }), l.label)));
    note.textContent = info.note;
    // a schematic map has a few large squares: keep it small; a real map fills the frame
    img.style.maxWidth = info.kind === "schematic" ? `${Math.max(280, info.width * 7)}px` : "";
  }
  img.addEventListener("click", async (e) => {
    const rect = img.getBoundingClientRect();
    const params = q({ x: ((e.clientX - rect.left) / rect.width).toFixed(5), y: ((e.clientY - rect.top) / rect.height).toFixed(5), year: year === "0" ? summary.years[0] : year, plan });
    const unit = await api(`${base}/unit?${params}`);
    marker.hidden = !unit.land_unit;
    marker.style.left = `${e.clientX - rect.left}px`;
    marker.style.top = `${e.clientY - rect.top}px`;
    detail.replaceChildren(unitCard(unit));
  });
  body.replaceChildren(h("div.map-tools", {}, layerBar, h("label", {}, "Year ", yearSel)),
    h("div.map-layout", {}, h("div.map-frame", {}, caption, h("div.map-stack", {}, img, marker), legend, note), detail));
  await paint();
}

function unitCard(u) {
  if (!u.land_unit) return h("p.muted", { text: "No land unit there." });
  const c = u.closest_to_entering;
  return h("div", {}, h("h3", { text: `Land unit ${u.land_unit}` }),
    h("dl", {}, ...[["jurisdiction", u.jurisdiction], ["zone", u.zone], ["land type", u.land_type], ["area", `${fmt(u.area_ha)} ha`],
      ["baseline use", u.baseline_use], [`planned use ${u.year}`, u.planned_use], ["changed", `${fmt(u.changed_ha)} ha`],
      ["LDN status", u.ldn_status], ["LDN response", u.ldn_response], ["LDN gains / losses", `${fmt(u.ldn_gains_ha)} / ${fmt(u.ldn_losses_ha)} ha`]]
      .flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v ?? "—" })])),
    h("h4", { text: `Uses in ${u.year} (ha)` }),
    h("ul.uses", {}, Object.entries(u.uses_ha).map(([k, v]) => h("li", {}, h("span", { text: k }), h("span.num", { text: fmt(v) })))),
    h("h4", { text: "Closest to entering" }),
    c ? h("p", { id: "closest" }, h("strong", { text: c.use }), ` would enter ${c.where} if it were ${fmt(c.improvement_needed, 2)} ${c.unit} better` + (c.period ? ` (from ${c.period})` : "") + ".")
      : h("p.muted", { text: "No change outside the plan is priced here." }));
}

async function ldnPanel(body, id, plan) {
  const data = await api(`/api/runs/${encodeURIComponent(id)}/ldn?${q({ plan })}`);
  const rows = data.rows;
  const cols = [["land_type", "land type"], ["jurisdiction", "jurisdiction"], ["period", "year"], ["area_ha", "area ha"], ["gains_counted_ha", "gains ha"],
    ["losses_ha", "losses ha"], ["net_ha", "net ha"], ["target_ha", "target ha"], ["met", "met"], ["main_loss_driver", "main loss driver"]];
  body.replaceChildren(h("h2", { text: "LDN balance sheet" }),
    h("p.muted", { text: "Per land type (and jurisdiction when scoped) and planning year: counted gains against losses; neutrality holds where net ≥ target." }),
    ldnChart(rows.filter((r) => r.jurisdiction === "all")),
    h("div", { id: "ldn-balance" }, table(rows, cols, { rowClass: (r) => (r.met === false ? "bad" : null) })),
    data.hierarchy.length ? h("h3", { text: "Response hierarchy: avoid, reduce, reverse" }) : "",
    data.hierarchy.length ? table(data.hierarchy.filter((r) => r.jurisdiction === "all"), null) : "",
    data.price.length ? h("h3", { text: "Price of neutrality" }) : "", data.price.length ? table(data.price) : "");
}

function ldnChart(rows) {
  // gains up (green), losses down (red), the net as a dark tick: one group per land type, one bar pair per year
  if (!rows.length) return "";
  const types = [...new Set(rows.map((r) => r.land_type))];
  const years = [...new Set(rows.map((r) => r.period))].sort();
  const top = Math.max(...rows.map((r) => Math.max(r.gains_counted_ha || 0, r.losses_ha || 0)), 1);
  const W = 860, H = 230, M = 40, mid = H / 2, group = (W - M) / types.length, bar = Math.min(22, (group - 24) / (years.length * 1.3));
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 24}`); svg.setAttribute("class", "ldn-chart");
  const add = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; svg.append(e); return e; };
  const y = (v) => (v / top) * (mid - 16);
  add("line", { x1: M, x2: W, y1: mid, y2: mid, class: "axis" });
  add("text", { x: M - 4, y: 14, class: "tick", "text-anchor": "end" }, `+${fmt(top)}`);
  add("text", { x: M - 4, y: H - 4, class: "tick", "text-anchor": "end" }, `−${fmt(top)}`);
  types.forEach((t, i) => {
    const x0 = M + i * group + 12;
    years.forEach((yr, j) => {
      const r = rows.find((row) => row.land_type === t && row.period === yr);
      if (!r) return;
      const x = x0 + j * bar * 1.3;
      const g = add("rect", { x, y: mid - y(r.gains_counted_ha || 0), width: bar, height: y(r.gains_counted_ha || 0), class: "gain" });
      add("rect", { x, y: mid, width: bar, height: y(r.losses_ha || 0), class: r.met === false ? "loss bad" : "loss" });
      add("rect", { x: x - 2, y: mid - y(r.net_ha || 0) - 1, width: bar + 4, height: 2.5, class: "net" });
      add("text", { x: x + bar / 2, y: H + 2, class: "tick", "text-anchor": "middle" }, String(yr));
      const title = document.createElementNS(ns, "title"); title.textContent = `${t} ${yr}: gains ${fmt(r.gains_counted_ha)} ha, losses ${fmt(r.losses_ha)} ha, net ${fmt(r.net_ha)} ha`; g.append(title);
    });
    add("text", { x: x0, y: H + 18, class: "label" }, t.replace(/_/g, " "));
  });
  return h("div.chart", {}, svg, h("div.legend", {}, h("span.key", {}, h("i", { style: "background:#2e7d32" }), "counted gains"), h("span.key", {}, h("i", { style: "background:#c62828" }), "losses"), h("span.key", {}, h("i", { style: "background:#1d2733" }), "net")));
}

async function targetsPanel(body, id, plan) {
  const data = await api(`/api/runs/${encodeURIComponent(id)}/targets?${q({ plan })}`);
  const cols = [["family", "family"], ["name", "name"], ["period", "year"], ["sense", ""], ["rhs", "value"], ["activity", "planned"], ["unit", "unit"],
    ["binding", "binds"], ["shadow_price", "shadow price"], ["price_unit", "per"], ["valid_from", "holds from"], ["valid_to", "to"]];
  const holder = h("div", { id: "targets" });
  const families = [...new Set(data.rows.map((r) => r.family))].sort();
  const only = h("select", { id: "family-filter", onchange: paint }, h("option", { value: "", text: "every family" }), families.map((f) => h("option", { value: f, text: f })));
  const binding = h("input", { type: "checkbox", checked: true, onchange: paint });
  function paint() {
    const rows = data.rows.filter((r) => (!only.value || r.family === only.value) && (!binding.checked || r.binding));
    holder.replaceChildren(table(rows, cols, { rowClass: (r) => (r.binding ? "binding" : null), digits: 2 }));
  }
  body.replaceChildren(h("h2", { text: "Targets, limits and their shadow prices" }),
    h("p.muted", { text: "The shadow price is what one more unit of the target would cost (objective units per indicator unit); it holds while the target stays between the two values shown." }),
    h("div.form-row", {}, h("label", {}, "Show ", only), h("label.check", {}, binding, " binding rows only")), holder);
  paint();
}

async function linkagePanels(body, id, plan) {
  const data = await api(`/api/runs/${encodeURIComponent(id)}/panels?${q({ plan })}`);
  body.replaceChildren(
    h("h2", { text: "Food" }), table(data.food, [["product", "product"], ["jurisdiction", "jurisdiction"], ["period", "year"], ["production", "production"], ["demand", "demand"], ["imports", "imports"], ["exports", "exports"], ["self_sufficiency", "self-sufficiency"], ["imported_land_ha", "land abroad ha"], ["unit", "unit"]], { empty: "The scenario has no food balance." }),
    h("h2", { text: "Finance: funds used and left" }), table(data.funds, null, { empty: "The scenario has no funding sources." }),
    h("h2", { text: "Jobs and migration pressure" }), table(data.livelihoods, null, { empty: "The scenario has no livelihoods." }));
}

async function diagnosisPanel(root, id) {
  const d = await api(`/api/runs/${encodeURIComponent(id)}/diagnosis`);
  if (!d) { root.replaceChildren(h("section.card", {}, h("p", { text: "This run has no plan and no diagnosis." }))); return; }
  const button = h("button.primary", { type: "button", id: "relax-button", text: "Apply the suggested relaxation as a new run", disabled: !d.overrides.length,
    onclick: async () => { const run = await api(`/api/runs/${encodeURIComponent(id)}/relax`, { method: "POST" }); await loadRuns(); location.hash = `#/run/${encodeURIComponent(run.id)}`; } });
  root.replaceChildren(h("section.card.diagnosis", { id: "diagnosis" }, h("h2", { text: "Why there is no plan" }),
    h("ul.sentences", {}, d.sentences.map((s) => h("li", { text: s }))),
    d.relaxation.length ? h("h3", { text: "The smallest relaxation" }) : "",
    table(d.relaxation, [["label", "row"], ["current", "now"], ["required", "needed"], ["change", "change"], ["unit", "unit"]], { digits: 2, empty: "" }),
    d.overrides.length ? h("p", {}, "Applied as ", ...d.overrides.map((o) => h("code", { text: `--set ${o}` }))) : "",
    h("div.actions", {}, button)));
}

async function frontierPanel(root, id, summary) {
  const f = await api(`/api/runs/${encodeURIComponent(id)}/frontier`);
  const plot = h("div.plot", { id: "frontier-plot" });
  const planBox = h("div");
  const openPlan = async (plan) => {
    const s = await api(`/api/runs/${encodeURIComponent(id)}/summary?${q({ plan })}`);
    planBox.replaceChildren(h("h2.plan-title", { text: `Plan: ${plan}` }), h("div"));
    await planPanels(planBox.lastChild, id, s, plan);
  };
  if (!f) {  // alternatives: the plans by name
    root.replaceChildren(h("section.card", {}, h("h2", { text: "Plans" }), h("div.actions", {},
      summary.plans.map((p) => h("button", { type: "button", "data-plan": p, text: p, onclick: () => openPlan(p) })))), planBox);
    return;
  }
  root.replaceChildren(h("section.card", {}, h("h2", { text: "Frontier" }), h("p.muted", { text: "Each point is a plan; click one to open its map. The knee is orange." }), plot), planBox);
  const [ox, oy] = f.objectives;
  const pts = f.points.map((p) => ({ ...p, x: p[ox.label], y: p[oy.label] })).filter((p) => p.x !== null && p.y !== null);
  const W = 640, H = 360, M = 56;
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (v) => M + ((v - x0) / (x1 - x0 || 1)) * (W - 2 * M), sy = (v) => H - M - ((v - y0) / (y1 - y0 || 1)) * (H - 2 * M);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("class", "frontier");
  const add = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; svg.append(e); return e; };
  add("line", { x1: M, y1: H - M, x2: W - M, y2: H - M, class: "axis" }); add("line", { x1: M, y1: M, x2: M, y2: H - M, class: "axis" });
  add("text", { x: W / 2, y: H - 14, class: "label", "text-anchor": "middle" }, `${ox.label} (${ox.unit || ""}, ${ox.sense})`);
  add("text", { x: 16, y: H / 2, class: "label", "text-anchor": "middle", transform: `rotate(-90 16 ${H / 2})` }, `${oy.label} (${oy.unit || ""}, ${oy.sense})`);
  for (const [v, anchor] of [[x0, "start"], [x1, "end"]]) add("text", { x: sx(v), y: H - M + 16, class: "tick", "text-anchor": anchor }, fmt(v));
  for (const v of [y0, y1]) add("text", { x: M - 6, y: sy(v) + 4, class: "tick", "text-anchor": "end" }, fmt(v));
  add("polyline", { points: pts.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" "), class: "line" });
  for (const p of pts) {
    const plan = f.plans.find((n) => n === `point_${p.point}` || n.startsWith(`point_${p.point}_`));
    const c = add("circle", { cx: sx(p.x), cy: sy(p.y), r: p.knee ? 8 : 6, class: p.knee ? "pt knee" : "pt", "data-plan": plan || "" });
    const title = document.createElementNS(ns, "title"); title.textContent = `point ${p.point}${p.knee ? " (knee)" : ""}: ${fmt(p.x)}, ${fmt(p.y)}`; c.append(title);
    c.addEventListener("click", async () => {
      svg.querySelectorAll("circle").forEach((e) => e.classList.toggle("on", e === c));
      if (plan) await openPlan(plan);
    });
  }
  plot.append(svg);
}

// Compare view -----------------------------------------------------------------------------------

async function compareView(main, params) {
  await loadRuns();
  const solved = state.runs.filter((r) => r.state === "done" && r.kind === "solve" && r.status === "optimal");
  const pick = (id, value) => h("select", { id }, h("option", { value: "", text: "choose a run" }), solved.map((r) => h("option", { value: r.id, text: r.id, selected: r.id === value })));
  const selA = pick("compare-a", params.get("a") || (solved[1] && solved[1].id));
  const selB = pick("compare-b", params.get("b") || (solved[0] && solved[0].id));
  const out = h("div", { id: "comparison" });
  const go = h("button.primary", { type: "button", id: "compare-button", text: "Compare", onclick: () => show() });
  const yearSel = h("select", { id: "compare-year", onchange: () => show() });
  main.replaceChildren(h("section.card", {}, h("h1", { text: "Compare two runs" }),
    h("div.form-row", {}, h("label", {}, "A ", selA), h("label", {}, "B ", selB), h("label", {}, "Year ", yearSel), go),
    h("p.muted", { text: "Differences are B − A." })), out);
  async function show() {
    const [a, b] = [selA.value, selB.value];
    if (!a || !b) return;
    history.replaceState(null, "", `#/compare?${q({ a, b })}`);
    const c = await api(`/api/compare?${q({ a, b })}`);
    const sa = await api(`/api/runs/${encodeURIComponent(a)}/summary`);
    const year = Number(yearSel.value) || sa.assessment_year || sa.years[sa.years.length - 1];
    yearSel.replaceChildren(...sa.years.map((y) => h("option", { value: y, text: y, selected: y === year })));
    const mapCard = (run, label) => h("figure.map-small", {}, h("img.map", { src: `/api/runs/${encodeURIComponent(run)}/map.png?${q({ layer: "use", year })}`, alt: `map of ${label}` }), h("figcaption", { text: `${label}: ${run} (${year})` }));
    const legend = await api(`/api/runs/${encodeURIComponent(a)}/map?${q({ layer: "use", year })}`);
    const diffImg = h("img.map", { id: "difference-map", src: `/api/compare/map.png?${q({ a, b, year })}`, alt: "difference map" });
    const whole = c.indicators.filter((r) => r.scope === "functional area" && r.difference !== null && Math.abs(r.difference) > 1e-6);
    const inputs = c.inputs;
    out.replaceChildren(
      h("section.card", {}, h("h2", { text: "Plans side by side" }),
        h("div.compare-maps", {}, mapCard(a, "A"), mapCard(b, "B"), h("figure.map-small", {}, diffImg, h("figcaption", { text: "where the planned use differs" }))),
        h("div.legend", {}, legend.legend.map((l) => h("span.key", {}, h("i", { style: `background:${l.colour}` }), l.label)))),
      h("section.card", {}, h("h2", { text: "Summary" }), table(c.summary, [["quantity", "quantity"], ["a", "A"], ["b", "B"], ["difference", "B − A"]], { digits: 1 })),
      h("section.card", { id: "input-changes" }, h("h2", { text: "What changed in the inputs" }),
        h("p", {}, `A: variants ${(inputs.a.variants || []).join(", ") || "none"}, overrides ${(inputs.a.overrides || []).join(" ") || "none"}. B: variants ${(inputs.b.variants || []).join(", ") || "none"}, overrides ${(inputs.b.overrides || []).join(" ") || "none"}.` + (inputs.tables_differ ? " The scenario's tables differ too." : "")),
        table(inputs.changes, [["key", "key"], ["a", "A"], ["b", "B"]], { empty: "The two runs had the same configuration." })),
      h("section.card", {}, h("h2", { text: "Indicators that differ (whole area)" }),
        table(whole, [["indicator", "indicator"], ["unit", "unit"], ["period", "year"], ["a", "A"], ["b", "B"], ["difference", "B − A"], ["relative", "relative"]], { digits: 1, empty: "No indicator of the whole area differs." })),
      h("section.card", {}, h("h2", { text: "LDN balance" }), table(c.ldn_balance, null, { digits: 1 })));
  }
  if (selA.value && selB.value) await show();
  return {};
}

window.addEventListener("hashchange", route);
(async () => { await loadScenarios(); await loadRuns(); await route(); })();
