// computegrid dashboard: talks to the API with the key typed in by the user (kept in this tab only).
"use strict";

const state = { key: sessionStorage.getItem("computegrid-key") || "", selected: null, sites: null,
                outlines: null };

function headers() { return state.key ? { "X-API-Key": state.key } : {}; }

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  if (!res.ok) {
    let msg = res.status + "";
    try { const body = await res.json(); msg += ": " + (body.error || body.detail); } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return res.json();
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function fmt(x, digits = 4) {
  if (x === null || x === undefined || Number.isNaN(x)) return "n/a";
  return Number(x).toLocaleString("en-US", { maximumSignificantDigits: digits, useGrouping: false });
}

async function refreshRuns() {
  if (!state.key) return;
  let data;
  try { data = await api("/v1/plans?limit=50"); } catch (e) {
    document.getElementById("key-status").textContent = "error: " + e.message; return;
  }
  document.getElementById("key-status").textContent = "connected";
  const body = document.querySelector("#runs tbody");
  document.getElementById("runs-empty").hidden = data.runs.length > 0;
  // Update rows in place (keyed by run id), so that a row being clicked is never replaced.
  const existing = new Map([...body.querySelectorAll("tr.run-row")].map(r => [r.dataset.runId, r]));
  const keep = new Set();
  for (const run of data.runs) {
    let row = existing.get(run.id);
    if (!row) {
      row = el("tr", { "class": "run-row", "data-run-id": run.id });
      row.append(el("td", {}, run.id.slice(0, 8)), el("td", {}, run.params.scenario || ""),
                 el("td"), el("td", {}, run.created_at.replace("T", " ").slice(0, 19)));
      row.addEventListener("click", () => selectRun(run.id));
    }
    row.dataset.status = run.status;
    const cell = row.children[2];
    cell.textContent = run.status;
    cell.className = "status-" + run.status;
    row.classList.toggle("selected", run.id === state.selected);
    body.append(row);  // moves an existing row into list order
    keep.add(run.id);
  }
  for (const [id, row] of existing) if (!keep.has(id)) row.remove();
  if (state.selected) {
    const sel = data.runs.find(r => r.id === state.selected);
    if (sel && sel.status !== document.getElementById("run-status").textContent) selectRun(sel.id);
  }
}

async function loadSites() {
  if (state.sites) return state.sites;
  try { state.sites = (await api("/v1/sites")).sites; } catch (e) { state.sites = []; }
  return state.sites;
}

// Province outlines (Natural Earth admin-1, public domain, bundled with the package) as one line with
// null between rings, for a plotly trace on longitude/latitude axes.
async function loadOutlines() {
  if (state.outlines) return state.outlines;
  const x = [], y = [];
  try {
    const res = await fetch("/static/provinces.geojson");
    const doc = await res.json();
    for (const f of doc.features) {
      const polys = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const ring of polys.flat()) {
        for (const [lon, lat] of ring) { x.push(lon); y.push(lat); }
        x.push(null); y.push(null);
      }
    }
  } catch (e) { /* the map still shows the sites */ }
  state.outlines = { x, y };
  return state.outlines;
}

async function selectRun(runId) {
  state.selected = runId;
  document.querySelectorAll("tr.run-row").forEach(r => r.classList.toggle("selected", r.dataset.runId === runId));
  const run = await api("/v1/plans/" + runId);
  const detail = document.getElementById("run-detail");
  detail.hidden = false;
  document.getElementById("run-id").textContent = run.id.slice(0, 8);
  const status = document.getElementById("run-status");
  status.textContent = run.status;
  status.className = "status-" + run.status;
  const err = document.getElementById("run-error");
  err.hidden = !run.error; err.textContent = run.error || "";
  const link = document.getElementById("report-link");
  link.hidden = !run.links.report_html;
  link.onclick = async (ev) => {
    ev.preventDefault();
    // The report refers to its figures by relative name; fetch each with the key and inline it.
    let html = await (await fetch(run.links.report_html, { headers: headers() })).text();
    const base = run.links.report_html.replace(/[^/]*$/, "");
    const names = [...new Set([...html.matchAll(/src="([A-Za-z0-9_.-]+\.png)"/g)].map(m => m[1]))];
    for (const name of names) {
      const res = await fetch(base + name, { headers: headers() });
      if (res.ok) html = html.split(`src="${name}"`).join(`src="${URL.createObjectURL(await res.blob())}"`);
    }
    window.open(URL.createObjectURL(new Blob([html], { type: "text/html" })), "_blank");
  };
  for (const id of ["chart-comparison", "chart-map", "chart-ai-load", "chart-curtailment"]) Plotly.purge(id);
  document.querySelector("#comparison-table thead").replaceChildren();
  document.querySelector("#comparison-table tbody").replaceChildren();
  if (run.status !== "succeeded" || !run.summary) return;
  drawComparison(run.summary, run.figures);
  drawCurtailment(run.summary);
  await drawMap(run.summary, await loadSites());
  drawAiLoad(run.id);
}

const SCENARIO_ORDER = ["status-quo", "west-static", "grid-responsive", "co-optimised"];

function scenarios(summary) {
  const all = summary.scenarios || {};
  const names = SCENARIO_ORDER.filter(n => n in all).concat(Object.keys(all).filter(n => !SCENARIO_ORDER.includes(n)));
  return names.map(n => [n, all[n]]);
}

function drawComparison(summary, figures) {
  const sc = scenarios(summary);
  const names = sc.map(([n]) => n);
  // the plan's headline figures (key, label with unit, scale) as the API gives them
  const metrics = (figures || []).map(f => [f.key, f.title, f.scale]);
  const traces = metrics.slice(0, 3).map(([key, label, f], i) => ({
    type: "bar", name: label, x: names, y: sc.map(([, s]) => (s[key] ?? null) * f),
    xaxis: "x" + (i + 1), yaxis: "y" + (i + 1),
  }));
  Plotly.newPlot("chart-comparison", traces, {
    grid: { rows: 1, columns: 3, pattern: "independent" }, showlegend: false, margin: { t: 30, b: 70, l: 50, r: 10 },
    annotations: metrics.slice(0, 3).map(([, label], i) => ({ text: label, showarrow: false, x: 0.5, y: 1.08,
      xref: "x" + (i + 1) + " domain", yref: "y" + (i + 1) + " domain", font: { size: 11 } })),
  }, { displayModeBar: false, responsive: true });
  const head = document.querySelector("#comparison-table thead");
  const tr = el("tr"); tr.append(el("th", {}, "metric"), ...names.map(n => el("th", {}, n))); head.append(tr);
  const body = document.querySelector("#comparison-table tbody");
  for (const [key, label, f] of metrics) {
    const row = el("tr", { "data-metric": key });
    row.append(el("td", {}, label), ...sc.map(([, s]) => el("td", {}, fmt((s[key] ?? NaN) * f))));
    body.append(row);
  }
}

function drawCurtailment(summary) {
  const sc = scenarios(summary);
  const absorbed = sc.map(([, s]) => (s.ai_energy_twh_per_year ?? 0) * (s.ai_energy_from_curtailment_frac ?? 0));
  const left = sc.map(([, s]) => s.curtailment_twh_per_year ?? null);
  Plotly.newPlot("chart-curtailment", [
    { type: "bar", name: "absorbed by AI load [TWh/yr]", x: sc.map(([n]) => n), y: absorbed },
    { type: "bar", name: "still curtailed [TWh/yr]", x: sc.map(([n]) => n), y: left },
  ], { barmode: "stack", margin: { t: 10, b: 60, l: 50, r: 10 }, yaxis: { title: "TWh/yr" } },
  { displayModeBar: false, responsive: true });
}

async function drawMap(summary, sites) {
  const sc = summary.scenarios || {};
  const best = sc["co-optimised"] || Object.values(sc)[0] || {};
  const cap = best.dc_capacity_by_site_mw || {};
  const known = sites.filter(s => s.latitude_deg !== undefined);
  const caps = known.map(s => cap[s.site] || 0);
  const maxCap = Math.max(1, ...caps);
  // Longitude/latitude axes with the bundled province outlines: plotly's geo base maps are fetched
  // from a CDN, which the service does not use (no internet); the axes keep the true positions.
  const outlines = await loadOutlines();
  const midLat = (17 + 54) / 2;
  Plotly.newPlot("chart-map", [{
    type: "scatter", mode: "lines", name: "province outlines", x: outlines.x, y: outlines.y,
    fill: "toself", fillcolor: "#f2f3f4", line: { color: "#7f8c8d", width: 0.7 }, hoverinfo: "skip",
    showlegend: false,
  }, {
    type: "scatter", mode: "markers+text", name: "sites", x: known.map(s => s.longitude_deg),
    y: known.map(s => s.latitude_deg), showlegend: false,
    text: known.map(s => s.site), textposition: "top center", textfont: { size: 9 },
    hovertext: known.map((s, i) => `${s.name}: ${fmt(caps[i])} MW (${s.side})`), hoverinfo: "text",
    marker: { size: caps.map(c => 6 + 34 * Math.sqrt(c / maxCap)), color: caps, colorscale: "Viridis",
              colorbar: { title: { text: "MW" } }, line: { width: 0.5, color: "#333" }, opacity: 0.85 },
  }], { xaxis: { title: { text: "longitude [deg E]" }, range: [72.5, 135.5], showgrid: false },
        yaxis: { title: { text: "latitude [deg N]" }, range: [17, 54], showgrid: false,
                 scaleanchor: "x", scaleratio: 1 / Math.cos(midLat * Math.PI / 180) },
        plot_bgcolor: "white", margin: { t: 10, b: 40, l: 50, r: 10 },
        annotations: [{ text: "province outlines: Natural Earth (public domain)", xref: "paper", yref: "paper",
                        x: 1, y: 0, xanchor: "right", yanchor: "bottom", showarrow: false,
                        font: { size: 9, color: "#7f8c8d" } }] },
  { displayModeBar: false, responsive: true });
}

async function drawAiLoad(runId) {
  const note = document.getElementById("ai-load-note");
  let data;
  try { data = await api(`/v1/plans/${runId}/ai-load`); } catch (e) {
    note.textContent = "no hourly AI load in this run (" + e.message + ")"; return;
  }
  note.textContent = `scenario ${data.scenario}; ${data.timestamps.length} time steps`;
  const traces = Object.entries(data.ai_load_mw_by_site).map(([site, ys]) => ({
    type: "scatter", mode: "lines", stackgroup: "one", name: site, x: data.timestamps, y: ys }));
  Plotly.newPlot("chart-ai-load", traces, { margin: { t: 10, b: 40, l: 60, r: 10 },
    yaxis: { title: "AI load [MW]" }, legend: { font: { size: 9 } } }, { displayModeBar: false, responsive: true });
}

document.getElementById("key-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.key = document.getElementById("api-key").value.trim();
  sessionStorage.setItem("computegrid-key", state.key);
  refreshRuns();
});

document.getElementById("new-run-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const scenario = document.getElementById("new-run-scenario").value.trim();
  try {
    const run = await api("/v1/plans", { method: "POST", headers: { "Content-Type": "application/json" },
                                          body: JSON.stringify({ scenario }) });
    state.selected = run.id;
  } catch (e) { document.getElementById("key-status").textContent = "error: " + e.message; }
  refreshRuns();
});

if (state.key) { document.getElementById("api-key").value = state.key; refreshRuns(); }
setInterval(refreshRuns, 2000);
