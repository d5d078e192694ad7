// SPDX-License-Identifier: Apache-2.0
// The dashboard: polls the daemon's API every second (status, stats, the
// 10-minute history, the log) and the usage database once a minute, and
// steers through the same endpoints the CLI uses. Plain JavaScript, no build
// step; Chart.js comes from the daemon (/chart.js/, Debian's libjs-chart.js).
'use strict';

const POLL_MS = 1000;
const USAGE_MS = 60000;
const WINDOW_S = 600;
const MAX_EVENTS = 200;

const state = {
  status: null,
  stats: null,
  samples: [],          // /v1/stats/history, newest last
  historyFromApi: true, // false: built here from /v1/stats (older daemon)
  eventSeq: 0,
  events: [],
  online: true,
  usageAt: 0,
  sort: { key: 'down', dir: -1 },
  charts: {},
};

// ---- units a person reads ----

function fmtRate(bps) {
  if (bps === null || bps === undefined || Number.isNaN(bps)) return '–';
  const units = [[1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [scale, unit] of units) {
    if (bps >= scale) return `${(bps / scale).toFixed(bps >= 100 * scale ? 0 : 1)} ${unit}`;
  }
  return `${Math.round(bps)} bit/s`;
}

function fmtBytes(bytes) {
  if (bytes === null || bytes === undefined) return '–';
  const units = [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB']];
  for (const [scale, unit] of units) {
    if (bytes >= scale) return `${(bytes / scale).toFixed(1)} ${unit}`;
  }
  return `${Math.round(bytes)} B`;
}

// "in 40 s", "in 3 min", "in 3 h", "in 2 d".
function fmtIn(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds <= 0) return 'now';
  if (seconds < 90) return `in ${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `in ${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `in ${Math.round(seconds / 3600)} h`;
  return `in ${Math.round(seconds / 86400)} d`;
}

function fmtClock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

const $ = (id) => document.getElementById(id);

function setText(id, text) {
  const element = $(id);
  if (element.textContent !== text) element.textContent = text;
}

// ---- talking to the daemon ----

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store', ...options });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = { error: text.trim() };
  }
  return { status: response.status, ok: response.ok, body };
}

// A write: JSON in, and the daemon's error message out when it refuses.
async function send(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const reply = await api(path, options);
  if (!reply.ok) {
    const message = (reply.body && reply.body.error) || `HTTP ${reply.status}`;
    const error = new Error(message);
    error.reply = reply;
    throw error;
  }
  return reply.body;
}

function setOnline(online, message) {
  const banner = $('banner');
  document.body.classList.toggle('offline', !online);
  banner.hidden = online;
  if (!online) banner.textContent = message;
  if (online && !state.online) {
    // The daemon may have restarted: its log starts again at 1.
    state.eventSeq = 0;
    state.events = [];
  }
  state.online = online;
}

async function poll() {
  try {
    const [status, stats] = await Promise.all([api('/v1/status'), api('/v1/stats')]);
    if (status.status === 401 || stats.status === 401) {
      setOnline(false, 'Not logged in (a session ends after 12 h unused, 7 days after its login, at a logout and when nettoll restarts): run `nettoll dashboard` on the machine for a new login link.');
      return;
    }
    if (!status.ok || !stats.ok) throw new Error(`HTTP ${status.status}/${stats.status}`);
    state.status = status.body;
    state.stats = stats.body;
    await Promise.all([pollHistory(), pollEvents()]);
    setOnline(true);
    render();
    if (Date.now() - state.usageAt >= USAGE_MS) {
      state.usageAt = Date.now();
      pollUsage();
    }
  } catch (e) {
    setOnline(false, 'nettoll is unreachable; reconnecting…');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

async function pollHistory() {
  const newest = state.samples.length ? state.samples[state.samples.length - 1].t : null;
  if (state.historyFromApi) {
    const reply = await api('/v1/stats/history' + (newest === null ? '' : `?since=${newest}`));
    if (reply.ok && reply.body && Array.isArray(reply.body.samples)) {
      for (const sample of reply.body.samples) {
        if (newest === null || sample.t > newest) state.samples.push(sample);
      }
    } else if (reply.status === 404) {
      state.historyFromApi = false;
    }
  }
  if (!state.historyFromApi) state.samples.push(sampleFromStats(state.stats));
  const oldest = Date.now() - WINDOW_S * 1000;
  while (state.samples.length && state.samples[0].t < oldest) state.samples.shift();
}

// A history sample made from /v1/stats, for a daemon without /v1/stats/history.
function sampleFromStats(stats) {
  const rules = {};
  for (const p of stats.processes || []) {
    const rule = rules[p.rule || ''] || (rules[p.rule || ''] = { download_bps: 0, upload_bps: 0 });
    rule.download_bps += 8 * (p.download_bytes_per_second || 0);
    rule.upload_bps += 8 * (p.upload_bytes_per_second || 0);
  }
  // The parent classes' rates are what went over the wire; the processes'
  // sum also counts what the qdisc then dropped.
  const wire = { download: null, upload: null };
  for (const c of stats.classes || []) if (c.rule === 'global') wire[c.direction] = 8 * (c.bytes_per_second || 0);
  return {
    t: Date.now(),
    download_bps: wire.download ?? 8 * (stats.download_bytes_per_second || 0),
    upload_bps: wire.upload ?? 8 * (stats.upload_bytes_per_second || 0),
    download_limit_bps: stats.download_limit_bps ?? null,
    upload_limit_bps: stats.upload_limit_bps ?? null,
    rules,
  };
}

async function pollEvents() {
  const reply = await api(`/v1/events?since=${state.eventSeq}`);
  if (!reply.ok || !reply.body || !Array.isArray(reply.body.events)) return;
  for (const event of reply.body.events) {
    if (event.seq > state.eventSeq) {
      state.events.push(event);
      state.eventSeq = event.seq;
    }
  }
  state.events.splice(0, Math.max(0, state.events.length - MAX_EVENTS));
}

async function pollUsage() {
  // "day:rule": each day's bar stacked by rule.
  const [by, split] = $('usage-by').value.split(':');
  try {
    const reply = await api(`/v1/usage?by=${by}&since=30d${split ? `&split=${split}` : ''}`);
    if (!reply.ok) {
      setText('usage-note', (reply.body && reply.body.error) || `usage: HTTP ${reply.status}`);
      renderUsage([]);
      return;
    }
    const rows = (reply.body && reply.body.rows) || [];
    setText('usage-note', rows.length ? '' : 'no usage recorded in the last 30 days');
    renderUsage(rows);
  } catch (e) {
    setText('usage-note', 'usage: the daemon is unreachable');
  }
}

// ---- tables that update in place ----

// Makes `tbody`'s rows those of `rows` ({key, cells: [{text|html, cls}],
// data: {...}, cls}), keeping the row and cell elements of a key so that a
// button under the pointer survives the next second's update.
function syncRows(tbody, rows) {
  const existing = new Map();
  for (const tr of Array.from(tbody.children)) {
    if (existing.has(tr.dataset.key)) tr.remove();
    else existing.set(tr.dataset.key, tr);
  }
  const seen = new Set();
  rows = rows.filter((row) => !seen.has(row.key) && seen.add(row.key));
  let previous = null;
  for (const row of rows) {
    let tr = existing.get(row.key);
    if (tr) {
      existing.delete(row.key);
    } else {
      tr = document.createElement('tr');
      tr.dataset.key = row.key;
    }
    tr.className = row.cls || '';
    for (const [name, value] of Object.entries(row.data || {})) tr.dataset[name] = String(value);
    row.cells.forEach((cell, i) => {
      let td = tr.children[i];
      if (!td) td = tr.appendChild(document.createElement('td'));
      if (cell.colspan) td.colSpan = cell.colspan;
      if (td.className !== (cell.cls || '')) td.className = cell.cls || '';
      if (cell.html !== undefined) {
        if (td.dataset.html !== cell.html) {
          td.innerHTML = cell.html;
          td.dataset.html = cell.html;
        }
      } else if (td.textContent !== cell.text) {
        td.textContent = cell.text;
      }
    });
    while (tr.children.length > row.cells.length) tr.lastChild.remove();
    const next = previous ? previous.nextSibling : tbody.firstChild;
    if (next !== tr) tbody.insertBefore(tr, next);
    previous = tr;
  }
  for (const tr of existing.values()) tr.remove();
}

const num = (text) => ({ text, cls: 'num' });

// ---- what the page shows ----

function render() {
  renderHeader();
  renderRateChart();
  renderRules();
  renderProcesses();
  renderClasses();
  renderReservations();
  renderQuotas();
  renderEvents();
}

function latest() {
  return state.samples.length ? state.samples[state.samples.length - 1] : sampleFromStats(state.stats);
}

function renderHeader() {
  const status = state.status;
  setText('interface', status.interface || 'none');
  setText('reason', status.reason ? `(${status.reason})` : '');
  // "shaping vA (why)" repeats the line above; errors and "watching" do not.
  setText('status-line', (status.status || '').startsWith('shaping ') ? '' : status.status || '');
  const now = latest();
  const limit = (bps) => (bps ? fmtRate(bps) : 'no limit');
  setText('download-now', fmtRate(now.download_bps));
  setText('upload-now', fmtRate(now.upload_bps));
  setText('download-limit', limit(state.stats.download_limit_bps));
  setText('upload-limit', limit(state.stats.upload_limit_bps));
}

function cssColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const RULE_COLORS = ['#2563eb', '#d97706', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626'];

function chartBase(yFormat) {
  const grid = cssColor('--line');
  const text = cssColor('--muted');
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    parsing: false,
    plugins: { legend: { labels: { color: text, boxWidth: 12 } } },
    scales: {
      x: {
        type: 'linear', min: -WINDOW_S, max: 0, grid: { color: grid },
        ticks: { color: text, stepSize: 120, callback: (v) => (v === 0 ? 'now' : `${Math.round(v / 60)} min`) },
      },
      y: { beginAtZero: true, grid: { color: grid }, ticks: { color: text, callback: yFormat } },
    },
  };
}

function makeChart(id, type, datasets, options) {
  if (!window.Chart) {
    for (const note of document.querySelectorAll('.no-chart')) note.hidden = false;
    return null;
  }
  if (!state.charts[id]) state.charts[id] = new window.Chart($(id), { type, data: { datasets }, options });
  return state.charts[id];
}

function renderRateChart() {
  const chart = makeChart('rate-chart', 'line', [
    { label: 'download', borderColor: cssColor('--download'), pointRadius: 0, borderWidth: 2, data: [] },
    { label: 'upload', borderColor: cssColor('--upload'), pointRadius: 0, borderWidth: 2, data: [] },
    { label: 'download limit', borderColor: cssColor('--download'), borderDash: [6, 4], pointRadius: 0, borderWidth: 1, stepped: true, data: [] },
    { label: 'upload limit', borderColor: cssColor('--upload'), borderDash: [6, 4], pointRadius: 0, borderWidth: 1, stepped: true, data: [] },
  ], chartBase((v) => fmtRate(v)));
  if (!chart) return;
  const now = Date.now();
  const at = (s) => (s.t - now) / 1000;
  const keys = ['download_bps', 'upload_bps', 'download_limit_bps', 'upload_limit_bps'];
  keys.forEach((key, i) => {
    chart.data.datasets[i].data = state.samples.filter((s) => s[key] !== null && s[key] !== undefined).map((s) => ({ x: at(s), y: s[key] }));
  });
  chart.update('none');
}

// Rule name → {download, upload} ceilings, from /v1/status's HTB trees.
function ruleLimits() {
  const limits = {};
  for (const [tree, direction] of [[state.status.ingress, 'download'], [state.status.egress, 'upload']]) {
    for (const c of (tree && tree.classes) || []) {
      if (c.rule === 'global') continue;
      (limits[c.rule] || (limits[c.rule] = {}))[direction] = c;
    }
  }
  return limits;
}

// Rule name → {download: "5mbit", ...}: the temporary limits `nettoll set`
// or this page made, wherever the daemon reports them.
function ruleOverrides() {
  const out = {};
  const status = state.status;
  const rules = status.rules;
  if (Array.isArray(rules)) {
    for (const r of rules) if (r.override && Object.keys(r.override).length) out[r.name || r.rule] = r.override;
  } else if (rules && typeof rules === 'object') {
    for (const [name, r] of Object.entries(rules)) if (r && r.override && Object.keys(r.override).length) out[name] = r.override;
  }
  for (const [name, o] of Object.entries(status.rule_overrides || {})) out[name] = o;
  return out;
}

function renderRules() {
  const limits = ruleLimits();
  const overrides = ruleOverrides();
  const now = latest().rules || {};
  const names = Array.from(new Set([...Object.keys(limits), ...Object.keys(now).filter((n) => n)])).sort();
  const label = (name) => (name === 'default' || name === '' ? '(other traffic)' : name);
  const ceil = (name, direction) => {
    const c = limits[name] && limits[name][direction];
    const text = c ? fmtRate(c.ceil_bps) : '–';
    const set = overrides[name] && overrides[name][direction];
    return set ? { html: `<span class="override" title="temporary, until the next reload">${escapeHtml(set)}</span>`, cls: 'num' } : num(text);
  };
  syncRows($('rules-table').tBodies[0], names.map((name) => {
    const rate = now[name] || now[name === 'default' ? '' : name] || {};
    const action = overrides[name]
      ? `<button type="button" class="clear-override" data-rule="${escapeHtml(name)}" title="back to the config's limits">Clear</button>`
      : '';
    return {
      key: name,
      data: { rule: name, override: overrides[name] ? JSON.stringify(overrides[name]) : '' },
      cells: [{ text: label(name) }, num(fmtRate(rate.download_bps)), num(fmtRate(rate.upload_bps)),
        ceil(name, 'download'), ceil(name, 'upload'), { html: action }],
    };
  }));
  const select = $('limit-rule');
  // Process rules only: not the default class, nor a reservation's stream.
  const choices = names.filter((n) => n !== 'default' && n !== '' && !n.startsWith('stream '));
  if (select.dataset.choices !== choices.join(',')) {
    const chosen = select.value;
    select.innerHTML = choices.map((n) => `<option>${escapeHtml(n)}</option>`).join('');
    if (choices.includes(chosen)) select.value = chosen;
    select.dataset.choices = choices.join(',');
  }
  renderRulesChart(names);
}

function renderRulesChart(names) {
  const key = $('rules-direction').value;
  const chart = makeChart('rules-chart', 'line', [], {
    ...chartBase((v) => fmtRate(v)),
    scales: { ...chartBase((v) => fmtRate(v)).scales, y: { ...chartBase((v) => fmtRate(v)).scales.y, stacked: true } },
  });
  if (!chart) return;
  const now = Date.now();
  chart.data.datasets = names.map((name, i) => ({
    label: name === 'default' || name === '' ? '(other)' : name,
    borderColor: RULE_COLORS[i % RULE_COLORS.length],
    backgroundColor: RULE_COLORS[i % RULE_COLORS.length] + '66',
    fill: true, pointRadius: 0, borderWidth: 1,
    data: state.samples.map((s) => {
      const r = (s.rules || {})[name] || (name === 'default' ? (s.rules || {})[''] : null);
      return { x: (s.t - now) / 1000, y: r ? r[key] || 0 : 0 };
    }),
  }));
  chart.update('none');
}

function processRows() {
  return (state.stats.processes || []).map((p) => ({
    name: p.name || '', pid: p.pid, user: p.user || '', rule: p.rule || '',
    down: 8 * (p.download_bytes_per_second || 0), up: 8 * (p.upload_bytes_per_second || 0),
    total: (p.download_bytes || 0) + (p.upload_bytes || 0),
  }));
}

function processRow(p) {
  return {
    key: `p${p.pid} ${p.name} ${p.rule}`, cls: 'process',
    data: { name: p.name, pid: p.pid, rule: p.rule, downBps: Math.round(p.down), upBps: Math.round(p.up) },
    cells: [{ text: p.name }, num(p.pid ? String(p.pid) : '–'), { text: p.user }, { text: p.rule || '–' },
      num(fmtRate(p.down)), num(fmtRate(p.up)), num(fmtBytes(p.total))],
  };
}

function renderProcesses() {
  const { key, dir } = state.sort;
  const rows = processRows().sort((a, b) => (a[key] < b[key] ? -dir : a[key] > b[key] ? dir : a.pid - b.pid));
  let out = rows.map(processRow);
  if ($('group-by-rule').checked) {
    const groups = new Map();
    for (const p of rows) (groups.get(p.rule) || groups.set(p.rule, []).get(p.rule)).push(p);
    out = [];
    for (const rule of Array.from(groups.keys()).sort()) {
      const members = groups.get(rule);
      const sum = (k) => members.reduce((s, p) => s + p[k], 0);
      out.push({
        key: `g${rule}`, cls: 'group',
        cells: [{ text: `${rule || '(no rule)'} · ${members.length}` }, { text: '' }, { text: '' }, { text: rule || '–' },
          num(fmtRate(sum('down'))), num(fmtRate(sum('up'))), num(fmtBytes(sum('total')))],
      });
      out.push(...members.map(processRow));
    }
  }
  syncRows($('process-table').tBodies[0], out);
  for (const th of $('process-table').tHead.rows[0].cells) {
    th.classList.toggle('sorted-asc', th.dataset.key === key && dir > 0);
    th.classList.toggle('sorted-desc', th.dataset.key === key && dir < 0);
  }
  const note = (state.stats.accounting && state.stats.accounting.note) || '';
  $('process-note').hidden = !note;
  setText('process-note', note);
}

function renderClasses() {
  syncRows($('class-table').tBodies[0], (state.stats.classes || []).map((c) => ({
    key: `${c.device} ${c.id}`,
    data: { rule: c.rule, drops: c.drops || 0 },
    cells: [{ text: c.direction === 'download' ? 'down' : 'up' }, { text: c.id }, { text: c.rule },
      num(fmtRate(c.rate_bps)), num(fmtRate(c.ceil_bps)), num(fmtRate(8 * (c.bytes_per_second || 0))),
      num(String(c.drops || 0)), num(fmtBytes(c.backlog_bytes || 0))],
  })));
}

function clientLimits(r) {
  const limits = r.client_limits || r.clients;
  if (!limits) return '';
  if (Array.isArray(limits)) return limits.map((l) => (typeof l === 'string' ? l : `${l.client || l.name}: ${fmtRate(l.upload_bps)}`)).join(', ');
  return Object.entries(limits).map(([name, l]) => `${name}: ${typeof l === 'object' ? fmtRate(l.upload_bps) : l}`).join(', ');
}

function renderReservations() {
  const book = state.status.reservations;
  $('reservations').hidden = !book;
  if (!book) return;
  syncRows($('reservation-table').tBodies[0], (book.reservations || []).map((r) => {
    const limits = clientLimits(r);
    return {
      key: r.id, cls: 'reservation',
      data: { id: r.id, ip: r.ip, state: r.state || '' },
      cells: [{ text: r.id + (r.state && r.state !== 'active' ? ` (${r.state})` : '') }, { text: r.ip + (limits ? ` · ${limits}` : '') },
        { text: r.source || '' }, num(fmtRate(r.upload_bps)), num(fmtRate(r.download_bps)), { text: fmtIn(r.expires_in_s) },
        { html: `<button type="button" class="danger release" data-id="${escapeHtml(r.id)}">Release</button>` }],
    };
  }));
  setText('reserved-total', `reserved: upload ${fmtRate(book.reserved_upload_bps)}, download ${fmtRate(book.reserved_download_bps)}`);
  const list = $('client-list');
  const clients = book.clients || (book.clients_held || []).map((name) => ({ name, holding: true }));
  const html = clients.length ? clients.map((c) => {
    const reach = c.reachable === undefined ? '' : c.reachable ? '<span class="reachable">reachable</span>' : `<span class="unreachable">unreachable${c.error ? ': ' + escapeHtml(c.error) : ''}</span>`;
    const held = c.holding || c.held ? ' · limits lowered' : '';
    return `<li>${escapeHtml(c.name || c.type || '')} ${reach}${held}</li>`;
  }).join('') : '<li class="muted">no torrent client is being held back</li>';
  if (list.dataset.html !== html) {
    list.innerHTML = html;
    list.dataset.html = html;
  }
}

// One bar per quota and measure (total, download, upload), from /v1/status's
// "quotas": [{scope, state, resets, measures: [{name, used, limit}]}].
function quotaBar(quota, measure) {
  const share = measure.limit ? Math.min(1, measure.used / measure.limit) : 0;
  const over = quota.state === 'over' || quota.state === 'blocked';
  const label = `${quota.scope === 'link' ? 'the link' : quota.scope} ${measure.name}${over ? ` · ${quota.state}` : ''}`;
  const resets = fmtIn(quota.resets - Date.now() / 1000);
  return `<div class="quota${over ? ' over' : ''}" data-quota="${escapeHtml(quota.scope)}" data-measure="${escapeHtml(measure.name)}" data-used="${measure.used}" data-limit="${measure.limit}" data-resets="${quota.resets}">
      <div class="quota-text"><span>${escapeHtml(label)}</span>
      <span class="num">${fmtBytes(measure.used)} of ${fmtBytes(measure.limit)} · resets ${resets}</span></div>
      <div class="meter" role="progressbar" aria-valuenow="${Math.round(share * 100)}" aria-valuemin="0" aria-valuemax="100"><div style="width:${(share * 100).toFixed(1)}%"></div></div></div>`;
}

function renderQuotas() {
  const quotas = state.status.quotas || [];
  $('quotas').hidden = quotas.length === 0;
  const html = quotas.flatMap((q) => (q.measures || []).map((m) => quotaBar(q, m))).join('');
  const list = $('quota-list');
  if (list.dataset.html !== html) {
    list.innerHTML = html;
    list.dataset.html = html;
  }
}

// The bars' series: download and upload of each label, or, for split days
// (rows with a "part"), one series per rule or process, the largest first.
function usageSeries(rows) {
  if (!rows.length || rows[0].part === undefined) {
    return {
      labels: rows.map((r) => r.name),
      datasets: [
        { label: 'download', backgroundColor: cssColor('--download'), data: rows.map((r) => r.download) },
        { label: 'upload', backgroundColor: cssColor('--upload'), data: rows.map((r) => r.upload) },
      ],
    };
  }
  const labels = Array.from(new Set(rows.map((r) => r.name)));
  const totals = new Map();
  for (const r of rows) totals.set(r.part, (totals.get(r.part) || 0) + r.total);
  let parts = Array.from(totals.keys()).sort((a, b) => totals.get(b) - totals.get(a) || (a < b ? -1 : 1));
  // One colour each: beyond that, the smallest share one "(others)" series.
  if (parts.length > RULE_COLORS.length) parts = [...parts.slice(0, RULE_COLORS.length - 1), '(others)'];
  const seriesOf = (part) => (parts.includes(part) ? part : '(others)');
  const datasets = parts.map((series, i) => {
    const byDay = new Map();
    for (const r of rows) if (seriesOf(r.part) === series) byDay.set(r.name, (byDay.get(r.name) || 0) + r.total);
    return { label: series, backgroundColor: RULE_COLORS[i], data: labels.map((l) => byDay.get(l) || 0) };
  });
  return { labels, datasets };
}

function renderUsage(rows) {
  const base = chartBase((v) => fmtBytes(v));
  const chart = makeChart('usage-chart', 'bar', [], {
    ...base,
    parsing: true,
    scales: { x: { stacked: true, grid: base.scales.x.grid, ticks: { color: base.scales.x.ticks.color } }, y: { ...base.scales.y, stacked: true } },
  });
  if (!chart) return;
  $('usage-chart').parentElement.hidden = rows.length === 0;
  const { labels, datasets } = usageSeries(rows);
  chart.data.labels = labels;
  chart.data.datasets = datasets;
  chart.update('none');
}

function renderEvents() {
  const list = $('event-list');
  const newest = list.firstChild ? Number(list.firstChild.dataset.seq) : 0;
  const fresh = state.events.filter((e) => e.seq > newest);
  if (!fresh.length && list.children.length === state.events.length) return;
  if (state.events.length < list.children.length || newest > state.eventSeq) list.innerHTML = '';
  for (const e of (list.children.length ? fresh : state.events)) {
    const li = document.createElement('li');
    li.dataset.seq = e.seq;
    li.className = e.level || 'info';
    const time = document.createElement('time');
    time.textContent = e.time ? fmtClock(Date.parse(e.time)) : '';
    li.append(time, e.message);
    list.insertBefore(li, list.firstChild);
  }
  while (list.children.length > MAX_EVENTS) list.lastChild.remove();
  $('no-events').hidden = list.children.length > 0;
}

// ---- steering ----

function showReload(text, isError) {
  const box = $('reload-result');
  box.hidden = false;
  box.classList.toggle('error', isError);
  box.textContent = text;
}

async function reload() {
  $('reload').disabled = true;
  try {
    const reply = await send('POST', '/v1/reload');
    const messages = (reply && reply.messages) || [];
    showReload(['Config reloaded: applied.', ...messages].join('\n'), false);
  } catch (e) {
    const body = (e.reply && e.reply.body) || {};
    showReload([`Reload rejected: ${e.message}`, ...(body.messages || [])].join('\n'), true);
  } finally {
    $('reload').disabled = false;
  }
}

// Ends this browser's session; the login page that follows says how to get
// a new link. Whatever the daemon answered (a session that already ended is
// a 401), the browser is then logged out: the login page shows either way.
async function logOut() {
  try {
    await send('POST', '/v1/logout');
  } finally {
    window.location.assign('/');
  }
}

async function setLimit(event) {
  event.preventDefault();
  const body = { rule: $('limit-rule').value, direction: $('limit-direction').value, rate: $('limit-rate').value.trim() };
  try {
    await send('POST', '/v1/limits', body);
    setText('limit-result', `${body.rule}: ${body.direction} ${body.rate} until the next reload`);
  } catch (e) {
    setText('limit-result', e.message);
  }
}

async function clickInTable(event) {
  const button = event.target.closest('button');
  if (!button) return;
  try {
    if (button.classList.contains('clear-override')) {
      await send('DELETE', `/v1/limits/${encodeURIComponent(button.dataset.rule)}`);
    } else if (button.classList.contains('release')) {
      await send('DELETE', `/v1/reservations/${encodeURIComponent(button.dataset.id)}`);
    }
  } catch (e) {
    showReload(e.message, true);
  }
}

function sortBy(event) {
  const key = event.target.dataset.key;
  if (!key) return;
  const textual = ['name', 'user', 'rule'].includes(key);
  state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: textual ? 1 : -1 };
  if (state.stats) renderProcesses();
}

function start() {
  $('reload').addEventListener('click', reload);
  $('logout').addEventListener('click', logOut);
  $('limit-form').addEventListener('submit', setLimit);
  $('rules-table').addEventListener('click', clickInTable);
  $('reservation-table').addEventListener('click', clickInTable);
  $('process-table').tHead.addEventListener('click', sortBy);
  $('group-by-rule').addEventListener('change', () => state.stats && renderProcesses());
  $('rules-direction').addEventListener('change', () => state.stats && renderRules());
  $('usage-by').addEventListener('change', pollUsage);
  poll();
}

document.addEventListener('DOMContentLoaded', start);
