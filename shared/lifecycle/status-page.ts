// The status page: one static HTML document with a small script that polls GET status (relative to where the page
// was loaded, so it works at `/` of the manage function and of `dsc ui`) and calls pause, resume, restart and delete
// on the same API. It carries no data itself; everything it shows comes from the JSON API under the API's own auth
// (a status body holds no config, so no secret). Data is put into the page with textContent only, never as HTML.
import { createHash } from 'node:crypto';

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dsc connectors</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2430; background: #f7f8fa; }
  h1 { font-size: 1.3rem; margin: 0 0 .2rem; }
  #meta { color: #667; margin-bottom: 1rem; }
  .connector { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
  .head { display: flex; align-items: center; gap: .8rem; flex-wrap: wrap; }
  .name { font-weight: 600; font-size: 1.05rem; }
  .state { font-weight: 600; padding: .1rem .5rem; border-radius: 4px; background: #e8ebf0; }
  .state.RUNNING { background: #d8f0de; color: #17602b; } .state.FAILED { background: #f9dcdc; color: #8a1c1c; }
  .state.PAUSED { background: #fdf0c8; color: #6d5200; } .state.FINISHED { background: #dde8fa; color: #1f4b8f; }
  .bar { flex: 1; min-width: 12rem; height: .7rem; background: #e8ebf0; border-radius: 4px; overflow: hidden; }
  .bar > div { height: 100%; background: #3d7be0; }
  .figures { color: #334; margin: .4rem 0; }
  .error { color: #8a1c1c; white-space: pre-wrap; margin: .3rem 0; }
  button { font: inherit; padding: .15rem .6rem; border: 1px solid #b8c0cc; border-radius: 4px; background: #fff; cursor: pointer; }
  button:hover { background: #eef1f5; }
  table { border-collapse: collapse; width: 100%; margin-top: .4rem; font-size: 13px; }
  th, td { text-align: left; padding: .2rem .5rem; border-top: 1px solid #eef0f3; vertical-align: top; }
  th { color: #667; font-weight: 500; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  #message { min-height: 1.2rem; color: #8a1c1c; }
</style>
</head>
<body>
<h1>dsc connectors</h1>
<div id="meta">loading…</div>
<div id="message" role="status"></div>
<div id="connectors"></div>
<script>
"use strict";
const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
const nf = new Intl.NumberFormat("en-US");
const num = (n) => nf.format(Math.round(n || 0));
function size(n) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n || 0, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? v + " B" : v.toFixed(1) + " " + units[u];
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick") e.onclick = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== undefined && c !== null) e.append(c);
  return e;
}

async function api(method, path) {
  const res = await fetch(base + path, { method, headers: { Accept: "application/json" } });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new Error((body && body.message) || "HTTP " + res.status);
  return body;
}

/** Bytes done of bytes planned (files), or the total lag (mirrors): [fraction 0..1, words]. */
function progressOf(s) {
  if (s.kind === "mirror") {
    const lags = s.tasks.flatMap((t) => Object.values((t.detail && t.detail.lag) || {}));
    if (lags.length === 0) return [0, "lag unknown"];
    const lag = lags.reduce((a, b) => a + b, 0);
    // Caught up: a full bar; behind: the bar shrinks as the lag grows (no total to compare with).
    return [lag === 0 ? 1 : 1 / (1 + Math.log10(1 + lag)), "lag " + num(lag)];
  }
  const total = s.tasks.reduce((n, t) => n + t.progress.bytesTotal, 0);
  const done = s.state === "FINISHED" ? 1 : total > 0 ? Math.min(1, s.totals.bytes / total) : 0;
  // A tenth of a percent below 10%: a big load that has started never reads "0%".
  return [done, (done < 0.1 ? (done * 100).toFixed(1) : Math.round(done * 100)) + "%"];
}

function bar(fraction) {
  const fill = el("div", {});
  fill.style.width = (fraction * 100).toFixed(1) + "%"; // CSSOM, not a style attribute: the page's CSP allows this
  return el("div", { class: "bar" }, fill);
}

const ACTIONS = [["pause", "PUT"], ["resume", "PUT"], ["restart", "POST"], ["delete", "DELETE"]];

async function act(name, action, method) {
  if (action === "delete" && !confirm("Delete connector " + name + ", its tasks and offsets?")) return;
  const path = "connectors/" + encodeURIComponent(name) + (action === "delete" ? "" : "/" + action);
  try {
    await api(method, path);
    show(action + " " + name + ": done", false);
  } catch (err) {
    show(action + " " + name + ": " + err.message, true);
  }
  refresh();
}

function show(text, isError) {
  const m = document.getElementById("message");
  m.textContent = text;
  m.style.color = isError ? "#8a1c1c" : "#17602b";
}

function taskRow(s, t) {
  const p = t.progress;
  let where = "";
  if (s.kind === "file") where = (t.reading ? t.reading + " " : "") + "(" + p.filesDone + "/" + p.filesTotal + " files)";
  else where = Object.entries((t.detail && t.detail.lag) || {}).map(([part, lag]) => part + ": " + num(lag)).join(", ");
  const f = p.bytesTotal > 0 ? Math.min(1, p.bytes / p.bytesTotal) : t.state === "FINISHED" ? 1 : 0;
  return el("tr", { "data-task": String(t.id) },
    el("td", {}, String(t.id)), el("td", {}, t.state), el("td", {}, s.kind === "file" ? bar(f) : ""),
    el("td", { class: "num" }, t.state === "RUNNING" ? num(p.recordsPerSecond) : ""), el("td", { class: "num" }, num(p.records)),
    el("td", { class: "num" }, size(p.bytes)), el("td", { class: "num" }, num(p.errors)),
    el("td", {}, where), el("td", { class: "error" }, t.lastError || ""));
}

function card(s) {
  const [fraction, words] = progressOf(s);
  const buttons = ACTIONS.map(([a, m]) => el("button", { "data-action": a, onclick: () => act(s.name, a, m) }, a));
  return el("section", { class: "connector", "data-connector": s.name },
    el("div", { class: "head" },
      el("span", { class: "name" }, s.name), el("span", { class: "state " + s.state, "data-field": "state" }, s.state),
      bar(fraction), el("span", { "data-field": "progress" }, words), ...buttons),
    el("div", { class: "figures" },
      el("span", { "data-field": "rate" }, num(s.totals.recordsPerSecond)), " rec/s · ",
      el("span", { "data-field": "records" }, num(s.totals.records)), " records · ", size(s.totals.bytes), " · ",
      num(s.totals.errors), " errors · ", s.kind, " · epoch " + s.epoch),
    s.lastError ? el("div", { class: "error", "data-field": "lastError" }, "last error: " + s.lastError) : null,
    el("table", {},
      el("tr", {}, ...["task", "state", "progress", "rec/s", "records", "bytes", "errors", s.kind === "file" ? "reading" : "lag per partition", "last error"]
        .map((h, i) => el("th", i >= 3 && i <= 6 ? { class: "num" } : {}, h))),
      ...s.tasks.map((t) => taskRow(s, t))));
}

async function refresh() {
  try {
    const all = await api("GET", "status");
    const root = document.getElementById("connectors");
    root.replaceChildren(...all.map(card));
    if (all.length === 0) root.append(el("p", {}, "no connectors"));
    document.getElementById("meta").textContent =
      all.length + " connector" + (all.length === 1 ? "" : "s") + " · updated " + new Date().toLocaleTimeString();
  } catch (err) {
    document.getElementById("meta").textContent = "cannot read status: " + err.message;
  }
}

refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;

const inlineHash = (tag: 'script' | 'style'): string => {
  const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(STATUS_PAGE_HTML)![1];
  return `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`;
};

/**
 * Headers for the page: only its own inline script and style run (by hash), it talks only to its own origin, and
 * no other site may frame it (its buttons must not be clickjacked).
 */
export const STATUS_PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    `default-src 'none'; script-src ${inlineHash('script')}; style-src ${inlineHash('style')}; ` +
    `connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
