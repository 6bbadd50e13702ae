/* dashboard.js — the zmem dashboard's behaviour. Once a second it reads history (the memory
 * samples, oldest first), info (INFO text) and doctor (MEMORY DOCTOR text) from the server that
 * served the page, redraws three uPlot charts and the current figures, and says when the server
 * cannot be reached. Paths are relative, so the page also works behind a proxy's sub-path.
 *
 * For tests and scripts, the DOM says what happened: body[data-state] is loading, live or down;
 * body[data-js-errors] counts script errors, each also listed in #errors; body[data-fetch-errors]
 * counts failed refreshes. Each chart element carries what it plots: data-points, data-first-ts
 * and data-last-ts (timestamp_ms), data-fields (the sample fields, in series order), data-last
 * (their values at the last point) and data-sum (the sum of the first field over all points). */
"use strict";

const REFRESH_MS = 1000;
const KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, TiB = GiB * 1024;
const body = document.body;
const $ = (id) => document.getElementById(id);

/* ---- Errors: every script error lands in #errors, where a person and a test both see it. */

function reportError(msg) {
  const li = document.createElement("li");
  li.textContent = msg;
  $("errors").appendChild(li);
  $("errors").hidden = false;
  body.dataset.jsErrors = String(Number(body.dataset.jsErrors) + 1);
}
window.addEventListener("error", (e) =>
  reportError(`${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ""}`));
window.addEventListener("unhandledrejection", (e) =>
  reportError(`unhandled rejection: ${e.reason && e.reason.stack ? e.reason.stack : e.reason}`));
document.addEventListener("securitypolicyviolation", (e) =>
  reportError(`blocked by the page's security policy: ${e.blockedURI}`));
const consoleError = console.error.bind(console);
console.error = (...args) => {
  reportError(`console.error: ${args.join(" ")}`);
  consoleError(...args);
};

/* ---- Units */

function fmtBytes(v) {
  if (v == null) return "–";
  const a = Math.abs(v);
  if (a >= TiB) return `${(v / TiB).toFixed(2)} TiB`;
  if (a >= GiB) return `${(v / GiB).toFixed(2)} GiB`;
  if (a >= MiB) return `${(v / MiB).toFixed(1)} MiB`;
  if (a >= KiB) return `${(v / KiB).toFixed(1)} KiB`;
  return `${v} B`;
}
const fmtCount = (v) => (v == null ? "–" : Math.round(v).toLocaleString("en-US"));
const fmtRatio = (v) => (v == null ? "–" : v.toFixed(2));

/* Seconds since the epoch as local 24-hour time, 13:05:09. */
const clock = (t) => new Date(t * 1000).toLocaleTimeString("en-GB");

function fmtDuration(s) {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} days`;
}

/* Axis ticks a power of two of a unit apart (every 256 MiB, say), labelled in the unit of
 * the largest tick, so that a byte axis never reads 1.91 MiB. */
const BYTE_INCRS = [];
for (const unit of [1, KiB, MiB, GiB, TiB])
  for (let m = 1; m < 1024; m *= 2) BYTE_INCRS.push(m * unit);
function byteTicks(u, splits) {
  const top = Math.max(...splits.map(Math.abs));
  const [d, name] = top >= GiB ? [GiB, "GiB"] : top >= MiB ? [MiB, "MiB"] : top >= KiB ? [KiB, "KiB"] : [1, "B"];
  return splits.map((v) => `${+(v / d).toFixed(2)} ${name}`);
}
/* On the log scale, only the 1, 2 and 5 of each decade get a line and a label, not all nine. */
const oneTwoFive = (u, splits) =>
  splits.map((v) => (/^[125]$/.test(String(v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9)))) ? v : null));
const COUNT_INCRS = [];
for (let p = 1; p <= 1e12; p *= 10) COUNT_INCRS.push(p, 2 * p, 5 * p);

/* ---- Charts */

const CHARTS = [
  {
    id: "chart-memory", height: 230, scale: "bytes", fmt: fmtBytes,
    series: [
      ["used_memory", "used memory", "#1f6feb"],
      ["used_memory_rss", "RSS", "#d1242f"],
      ["used_memory_private_dirty", "private dirty", "#bf8700"],
      ["allocator_active", "allocator active", "#1a7f37"],
      ["allocator_resident", "allocator resident", "#8250df"],
    ],
    axes: [{ scale: "bytes", values: byteTicks, incrs: BYTE_INCRS, size: 80 }],
  },
  {
    id: "chart-ratios", height: 170, scale: "ratio", fmt: fmtRatio, log: true,
    series: [
      ["mem_fragmentation_ratio", "RSS / used memory", "#d1242f"],
      ["allocator_frag_ratio", "allocator active / allocated", "#1a7f37"],
    ],
    axes: [{ scale: "ratio", filter: oneTwoFive, values: (u, s) => s.map((v) => (v == null ? "" : String(v))),
      grid: { filter: oneTwoFive }, ticks: { filter: oneTwoFive }, size: 50 }],
  },
  {
    id: "chart-counts", height: 170, fmt: fmtCount,
    series: [
      ["connected_clients", "clients", "#1f6feb", "clients"],
      ["keys", "keys", "#bf8700", "keys"],
    ],
    axes: [
      { scale: "clients", incrs: COUNT_INCRS, values: (u, s) => s.map(fmtCount), size: 60 },
      { scale: "keys", side: 1, incrs: COUNT_INCRS, values: (u, s) => s.map(fmtCount), size: 70,
        grid: { show: false } },
    ],
  },
];

/* Memory and counts are read against zero, not against their minimum. Ratios use a log scale:
 * right after start-up they are in the hundreds (little used memory, a whole RSS), later near 1,
 * and both must stay readable. */
const fromZero = { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] };
const logScale = { distr: 3, log: 10 };

function makeChart(c) {
  const el = $(c.id);
  const series = [{ value: (u, v) => (v == null ? "–" : clock(v)) }];
  for (const [, label, stroke, scale] of c.series)
    series.push({ label, stroke, width: 1.5, scale: scale || c.scale, value: (u, v) => c.fmt(v) });
  const scales = { x: { time: true } };
  for (const s of series.slice(1)) scales[s.scale] = c.log ? logScale : fromZero;
  const opts = {
    width: el.clientWidth, height: c.height, series, scales,
    axes: [{ values: (u, splits) => splits.map(clock), space: 70 }]
      .concat(c.axes).map((a) => Object.assign({ stroke: "#667085" }, a)),
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  };
  c.plot = new uPlot(opts, [[]].concat(c.series.map(() => [])), el);
  el.dataset.fields = c.series.map((s) => s[0]).join(",");
}

/* Plot samples (oldest first) and write what was plotted into the chart's data- attributes. */
function plot(c, samples) {
  const xs = samples.map((s) => s.timestamp_ms / 1000);
  const ys = c.series.map(([f]) => samples.map((s) => (s[f] == null ? null : s[f])));
  /* A log scale has no place for 0: such a ratio (no data yet) is left out of the line. */
  c.plot.setData([xs].concat(c.log ? ys.map((y) => y.map((v) => (v > 0 ? v : null))) : ys));
  const el = $(c.id), n = samples.length;
  /* Unless the pointer is on the chart, its legend shows the latest values. */
  if (n && !(c.plot.cursor.left >= 0)) c.plot.setLegend({ idx: n - 1 });
  el.dataset.points = String(n);
  el.dataset.firstTs = n ? String(samples[0].timestamp_ms) : "";
  el.dataset.lastTs = n ? String(samples[n - 1].timestamp_ms) : "";
  el.dataset.last = n ? ys.map((y) => String(y[n - 1])).join(",") : "";
  el.dataset.sum = String(ys[0].reduce((a, v) => a + (v || 0), 0));
}

function resize() {
  for (const c of CHARTS) c.plot.setSize({ width: $(c.id).clientWidth, height: c.height });
}

/* ---- INFO text and figures */

/* INFO text to {field: value} (numbers where they are numbers) plus {_sections: {title: text}}. */
function parseInfo(text) {
  const out = { _sections: {} };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.startsWith("# ")) {
      section = line.slice(2);
      out._sections[section] = "";
      continue;
    }
    if (section) out._sections[section] += line + "\n";
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const k = line.slice(0, i), v = line.slice(i + 1);
    out[k] = v !== "" && !isNaN(v) ? Number(v) : v;
  }
  return out;
}

/* Keys and expires over every database line of the keyspace section (db0:keys=1,expires=0,...). */
function keyspaceTotals(info) {
  let keys = 0, expires = 0;
  for (const [k, v] of Object.entries(info)) {
    if (!/^db\d+$/.test(k)) continue;
    keys += Number((/keys=(\d+)/.exec(v) || [0, 0])[1]);
    expires += Number((/expires=(\d+)/.exec(v) || [0, 0])[1]);
  }
  return { keys, expires };
}

function figure(name, value, note) {
  const d = document.createElement("div");
  d.className = "figure";
  for (const [cls, text] of [["name", name], ["value", value], ["note", note || ""]]) {
    const s = document.createElement("div");
    s.className = cls;
    s.textContent = text;
    d.appendChild(s);
  }
  return d;
}

function showInfo(info) {
  const host = location.hostname || "localhost";
  const title = `zmem ${info.zmem_version || "?"} · ${host}:${info.tcp_port || "?"}`;
  document.title = title;
  $("title").textContent = title;
  $("subtitle").textContent = `Redis ${info.redis_version} compatible · ${info.mem_allocator} · ` +
    `up ${fmtDuration(info.uptime_in_seconds || 0)}`;
  const ks = keyspaceTotals(info);
  $("figures").replaceChildren(
    figure("Used memory", fmtBytes(info.used_memory), `peak ${fmtBytes(info.used_memory_peak)}`),
    figure("RSS", fmtBytes(info.used_memory_rss),
      `private dirty ${fmtBytes(info.used_memory_private_dirty)}`),
    figure("Allocator active", fmtBytes(info.allocator_active),
      `allocated ${fmtBytes(info.allocator_allocated)} · resident ${fmtBytes(info.allocator_resident)}`),
    figure("Fragmentation", fmtRatio(info.mem_fragmentation_ratio),
      `allocator ${fmtRatio(info.allocator_frag_ratio)}`),
    figure("Dataset", fmtBytes(info.used_memory_dataset),
      `overhead ${fmtBytes(info.used_memory_overhead)}`),
    figure("Max memory", info.maxmemory ? fmtBytes(info.maxmemory) : "no limit",
      String(info.maxmemory_policy)),
    figure("Clients", fmtCount(info.connected_clients),
      `blocked ${fmtCount(info.blocked_clients || 0)}`),
    figure("Keys", fmtCount(ks.keys), `with expiry ${fmtCount(ks.expires)}`),
  );
  $("info-memory").textContent = info._sections.Memory || "";
}

/* ---- The refresh loop */

async function get(path, json) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return json ? r.json() : r.text();
}

function showHistory(history) {
  const samples = history.samples || [];
  for (const c of CHARTS) plot(c, samples);
  return `${samples.length} samples, every ${history.interval_ms / 1000} s`;
}

/* One round: the three reads go out together and each part of the page is redrawn from its
 * own answer, so the figures and the doctor stay current even while history fails. */
async function refresh() {
  const got = await Promise.allSettled([get("history", true), get("info"), get("doctor")]);
  /* The next round is set first, so that a drawing error cannot stop the refresh. */
  setTimeout(refresh, REFRESH_MS);
  const failed = got.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  const [history, info, doctor] = got.map((r) => r.value);
  const summary = history ? showHistory(history) : "no history";
  if (info != null) showInfo(parseInfo(info));
  if (doctor != null) $("doctor").textContent = doctor;
  if (failed.length) {
    body.dataset.fetchErrors = String(Number(body.dataset.fetchErrors) + 1);
    body.dataset.state = "down";
    $("status").textContent = `cannot refresh (${failed.join("; ")}); retrying`;
  } else {
    body.dataset.state = "live";
    $("status").textContent = `${summary} · updated ${clock(Date.now() / 1000)}`;
  }
}

if (typeof uPlot === "undefined") {
  reportError("the chart library did not load");
} else {
  CHARTS.forEach(makeChart);
  window.addEventListener("resize", resize);
  refresh();
}
