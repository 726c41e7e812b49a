// Nightjar dashboard: sign-in, controls, panels and drill-down over the query API (aggregator/API.md).

import { ApiError, downloadCsv, get, saveBlob, setToken, token, url } from './api.js';
import { CLASS_COLOURS, PALETTE, barChart, mapChart, pngBlob, timeChart } from './charts.js';
import { renderTable } from './tables.js';
import {
  countryName, fmtBytes, fmtChange, fmtDuration, fmtNumber, fmtPercent, fmtTime, fromInputValue, isoUtc, localOffsetText, toInputValue,
} from './format.js';

/* global echarts */

const $ = sel => document.querySelector(sel);

const PRESET_DAYS = { day: 1, week: 7, month: 30, quarter: 91, year: 365 };
const HOUR = 3600e3;
const DAY = 24 * HOUR;

/** Well-known services of ports darknets see most; a name helps an analyst see a port at once. */
const SERVICES = {
  'tcp/21': 'ftp', 'tcp/22': 'ssh', 'tcp/23': 'telnet', 'tcp/25': 'smtp', 'tcp/53': 'dns', 'tcp/80': 'http', 'tcp/81': 'http-alt',
  'tcp/110': 'pop3', 'tcp/135': 'msrpc', 'tcp/139': 'netbios', 'tcp/143': 'imap', 'tcp/443': 'https', 'tcp/445': 'smb',
  'tcp/1433': 'mssql', 'tcp/1723': 'pptp', 'tcp/2222': 'ssh-alt', 'tcp/2323': 'telnet-alt', 'tcp/3306': 'mysql',
  'tcp/3389': 'rdp', 'tcp/5432': 'postgres', 'tcp/5555': 'adb', 'tcp/5900': 'vnc', 'tcp/6379': 'redis', 'tcp/7547': 'tr-069',
  'tcp/8000': 'http-alt', 'tcp/8080': 'http-proxy', 'tcp/8081': 'http-alt', 'tcp/8443': 'https-alt', 'tcp/8888': 'http-alt',
  'tcp/9200': 'elasticsearch', 'tcp/11211': 'memcached', 'tcp/27017': 'mongodb', 'tcp/37215': 'huawei-hg532',
  'tcp/52869': 'realtek-upnp', 'tcp/60023': 'telnet-alt',
  'udp/19': 'chargen', 'udp/53': 'dns', 'udp/69': 'tftp', 'udp/123': 'ntp', 'udp/137': 'netbios', 'udp/161': 'snmp',
  'udp/389': 'cldap', 'udp/500': 'ike', 'udp/1900': 'ssdp', 'udp/3702': 'ws-discovery', 'udp/5060': 'sip', 'udp/5353': 'mdns',
  'udp/11211': 'memcached', 'udp/27015': 'steam',
};

const PROTOCOL_NAMES = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6' };

/** A protocol as the API's name: 6 and "tcp" are both "tcp"; unnamed numbers stay numbers. */
export function protoName(proto) {
  const p = String(proto).toLowerCase();
  return PROTOCOL_NAMES[p] || p;
}

export function portLabel(proto, port) {
  const p = protoName(proto);
  const s = SERVICES[`${p}/${port}`];
  return s ? `${port}/${p} ${s}` : `${port}/${p}`;
}

const state = {
  meta: null,
  from: null,
  to: null,
  country: '',
  proto: 'tcp',
  step: 'auto',
  preset: 'week',
  generation: 0,
  sources: new Map(),
  ports: new Map(),
};

// ---------------------------------------------------------------------------------------------
// sign-in

function showLogin(message) {
  document.body.dataset.state = 'login';
  $('#app').hidden = true;
  $('#who').hidden = true;
  $('#login').hidden = false;
  const err = $('#login-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('#token').value = '';
  $('#token').focus();
}

function refusedMessage(e) {
  if (e.status === 401) {
    return 'The aggregator refused this token (401). Check that you pasted the whole token, then sign in again.';
  }
  if (e.status === 429) {
    return 'Too many failed sign-ins from this address: wait 5 minutes, then try again.';
  }
  if (e.status === 0) {
    return `Cannot reach the aggregator: ${e.message}.`;
  }
  return `The aggregator answered: ${e.message}`;
}

async function signIn() {
  document.body.dataset.state = 'signing-in';
  let meta;
  try {
    meta = await get('/api/v1/meta');
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 429)) {
      setToken(null);
    }
    showLogin(e instanceof ApiError ? refusedMessage(e) : String(e));
    return;
  }
  state.meta = meta;
  $('#login').hidden = true;
  $('#app').hidden = false;
  setUpMeta(meta);
  // after a custom period (no preset) and a new sign-in, start again from the default week
  applyPreset(state.preset || 'week');
  await loadAll(true);
}

function setUpMeta(meta) {
  const t = meta.token || {};
  $('#who').hidden = false;
  $('#who-text').textContent = `${t.organisation || 'signed in'} · ${t.member_state ? `member state ${t.member_state}` : 'regional'}`;
  const select = $('#country');
  select.replaceChildren(new Option('Whole region', ''));
  for (const cc of meta.member_states || []) {
    select.add(new Option(countryName(cc), cc));
  }
  select.value = state.country;
  // a state the new token's answer does not list is not kept
  state.country = select.value;
  $('#attribution').textContent = meta.attribution || '';
}

// ---------------------------------------------------------------------------------------------
// the period

/** The end of stored data, rounded up to the minute, so that the last bin is inside [from, to). */
function dataEnd() {
  const last = state.meta && state.meta.data_range && state.meta.data_range.last;
  const t = last ? Date.parse(last) : Date.now();
  return new Date(Math.ceil((t + 1) / 60e3) * 60e3);
}

function applyPreset(name) {
  state.preset = name;
  const to = dataEnd();
  state.to = to;
  state.from = new Date(to.getTime() - PRESET_DAYS[name] * DAY);
  $('#from').value = toInputValue(state.from);
  $('#to').value = toInputValue(state.to);
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.classList.toggle('active', b.dataset.preset === name);
    b.setAttribute('aria-pressed', String(b.dataset.preset === name));
  }
}

/** The step: the chosen one, or one that gives tens to hundreds of points over the data in range. */
function step() {
  if (state.step !== 'auto') {
    return state.step;
  }
  const range = state.meta && state.meta.data_range;
  const first = range && range.first ? Date.parse(range.first) : state.from.getTime();
  const start = Math.max(state.from.getTime(), first);
  const span = Math.max(0, Math.min(state.to.getTime(), dataEnd().getTime()) - start);
  if (span <= 12 * HOUR) return '5m';
  if (span <= 14 * DAY) return '1h';
  if (span <= 180 * DAY) return '1d';
  if (span <= 730 * DAY) return '1w';
  return '1mo';
}

function common() {
  return { from: isoUtc(state.from), to: isoUtc(state.to), country: state.country };
}

// ---------------------------------------------------------------------------------------------
// panels

function panelParts(panel) {
  return { coverage: panel.querySelector(':scope > .coverage'), error: panel.querySelector(':scope > .error') };
}

function showCoverage(panel, envelope) {
  const { coverage } = panelParts(panel);
  const c = envelope && envelope.coverage;
  const gaps = c && c.complete === false;
  coverage.hidden = !gaps;
  coverage.textContent = gaps ? `⚠ ${c.note || 'Some sensors have gaps in this period.'}` : '';
}

/**
 * Loads one panel: GET `path` with `params`, then `render(envelope)`. The panel's CSV button asks
 * the same query with format=csv; its data-state tells the tests (and the CSS) where it is.
 */
async function loadPanel(panel, path, params, render, generation) {
  panel.dataset.state = 'loading';
  // the exact query, for the CSV button and for the tests that ask the API the same question
  panel.dataset.query = url(path, params);
  panel.querySelector(':scope > .error').hidden = true;
  panel._query = { path, params };
  try {
    const envelope = await get(path, params);
    if (generation !== state.generation) {
      return;
    }
    showCoverage(panel, envelope);
    await render(envelope);
    panel.dataset.state = (envelope.rows || []).length ? 'ready' : 'empty';
  } catch (e) {
    if (generation !== state.generation) {
      return;
    }
    if (e instanceof ApiError && (e.status === 401 || e.status === 429)) {
      signedOut(e);
      throw e;
    }
    const { error, coverage } = panelParts(panel);
    // what the panel showed belongs to the previous question: never leave it under this one
    for (const t of panel.querySelectorAll('table.data')) {
      t.replaceChildren();
    }
    for (const el of panel.querySelectorAll('.chart')) {
      const c = echarts.getInstanceByDom(el);
      if (c) {
        c.clear();
      }
    }
    coverage.hidden = true;
    error.hidden = false;
    if (e instanceof ApiError && e.status === 404) {
      // an older aggregator, or one whose statistics do not include this yet
      error.textContent = `This aggregator does not serve ${path} (404).`;
    } else if (e instanceof ApiError && e.status === 403) {
      error.textContent = `Not visible with this token (403): ${e.message}`;
    } else {
      error.textContent = e instanceof ApiError ? `Could not load (${e.status}): ${e.message}` : `Could not load: ${e}`;
    }
    panel.dataset.state = 'error';
  }
}

/** [{time, <key>, <value>}] as one series per key, with every step present (0 where a key had none). */
function seriesBy(rows, keyOf, valueOf, nameOf, colourOf) {
  const times = [...new Set(rows.map(r => Date.parse(r.time)))].sort((a, b) => a - b);
  const byKey = new Map();
  const total = new Map();
  for (const r of rows) {
    const k = keyOf(r);
    if (!byKey.has(k)) {
      byKey.set(k, new Map());
      total.set(k, 0);
    }
    byKey.get(k).set(Date.parse(r.time), Number(valueOf(r)));
    total.set(k, total.get(k) + Number(valueOf(r)));
  }
  // largest at the bottom of the stack
  const keys = [...byKey.keys()].sort((a, b) => total.get(b) - total.get(a));
  return keys.map((k, i) => ({
    id: k,
    name: nameOf(k),
    colour: colourOf ? colourOf(k, i) : PALETTE[i % PALETTE.length],
    data: times.map(t => [t, byKey.get(k).has(t) ? byKey.get(k).get(t) : 0]),
  }));
}

function portColumns(proto, rows) {
  const maxShare = Math.max(1e-9, ...rows.map(r => Number(r.share) || 0));
  return [
    { key: 'rank', label: '#', type: 'num' },
    { key: 'port', label: 'Port', type: 'num', link: 'Show this port over time and its scan events', format: v => portLabel(proto, v) },
    { key: 'packets', label: 'Packets', type: 'num' },
    { key: 'sources', label: 'Sources', type: 'num' },
    { key: 'avg_packets_per_sensor', label: 'Per sensor', type: 'num', title: 'average packets per sensor' },
    // bars relative to the largest share in the table: the eye compares lengths
    { key: 'share', label: 'Share', type: 'num', format: fmtPercent, bar: v => Number(v) / maxShare, title: 'share of all packets of this protocol\'s probe class' },
    {
      key: 'change', label: 'Change', type: 'num', format: fmtChange, title: 'against the period of the same length before',
      cellClass: v => (v === null || v === undefined ? 'new' : (v > 0 ? 'up' : (v < 0 ? 'down' : ''))),
    },
  ];
}

const SCAN_COLUMNS = [
  { key: 'src', label: 'Source', link: 'Show this source' },
  { key: 'country', label: 'Country', format: v => countryName(v) },
  { key: 'asn', label: 'ASN', type: 'num', format: v => (v ? `AS${v}` : 'unknown') },
  { key: 'port', label: 'Port', type: 'num', link: 'Show this port', format: (v, r) => portLabel(r.proto, v) },
  { key: 'class', label: 'Class' },
  { key: 'start', label: 'Start (UTC)', type: 'time' },
  { key: 'end', label: 'End (UTC)', type: 'time' },
  { key: 'packets', label: 'Packets', type: 'num' },
  { key: 'destinations', label: 'Targets', type: 'num', title: 'distinct darknet destinations' },
  { key: 'coverage', label: 'Coverage', type: 'num', format: fmtPercent, title: 'share of the darknet addresses reached' },
  { key: 'rate', label: 'Rate /s', type: 'num', title: 'the Internet-wide packet rate this implies (packets/s scaled from the darknet to all IPv4)' },
  { key: 'tool', label: 'Tool' },
  { key: 'sensors', label: 'Sensors' },
];

function onLink(col, row) {
  if (col.key === 'src') {
    openSource(row.src, row);
  } else if (col.key === 'victim') {
    openSource(row.victim, { country: row.country, asn: row.asn });
  } else if (col.key === 'port') {
    openPort(protoName(row.proto), row.port);
  }
}

function renderTsubame(panel, proto) {
  return env => {
    const series = seriesBy(env.rows || [], r => r.port, r => r.avg_packets_per_sensor, p => portLabel(proto, p));
    const chart = timeChart($('#chart-tsubame'), series, { stack: true, yName: 'packets per sensor' });
    chart.off('click');
    chart.on('click', p => {
      const port = Number(String(p.seriesName).split('/')[0]);
      if (Number.isFinite(port)) {
        openPort(proto, port);
      }
    });
  };
}

function renderVolume(env) {
  const series = seriesBy(env.rows || [], r => r.key, r => r.packets, k => k, k => CLASS_COLOURS[k] || PALETTE[0]);
  timeChart($('#chart-volume'), series, { stack: true, yName: 'packets' });
}

function renderPorts(proto) {
  return env => {
    for (const r of env.rows || []) {
      state.ports.set(`${proto}/${r.port}`, r);
    }
    renderTable($(`#table-ports-${proto}`), portColumns(proto, env.rows || []), env.rows || [], { onLink });
  };
}

function renderSurging(env) {
  const rows = env.rows || [];
  const max = Math.max(1, ...rows.map(r => Number(r.score) || 0));
  renderTable($('#table-surging'), [
    { key: 'port', label: 'Port', type: 'num', link: 'Show this port', format: (v, r) => portLabel(r.proto, v) },
    { key: 'score', label: 'Score', type: 'num', bar: v => Number(v) / max, format: v => fmtNumber(v) },
    { key: 'surging', label: 'Surging', format: v => (v ? 'yes' : 'no'), cellClass: v => (v ? 'up' : '') },
    { key: 'sources', label: 'Sources', type: 'num' },
    { key: 'baseline_sources', label: 'Baseline src', type: 'num' },
    { key: 'targets', label: 'Targets', type: 'num' },
    { key: 'baseline_targets', label: 'Baseline tgt', type: 'num' },
    { key: 'sensors', label: 'Sensors', type: 'num' },
    {
      key: 'sensor_ratio', label: 'Per-sensor ratio', type: 'num', format: v => (v === null || v === undefined ? '–' : `×${fmtNumber(v)}`),
      title: 'sources per active sensor now against the baseline (a new sensor is not a surge)',
    },
  ], rows, { onLink, empty: 'No port surged in the last 24 h.' });
}

function renderTools(env) {
  const rows = env.rows || [];
  // the chart shows the recognised tools only: unattributed sources outnumber them by far and would flatten their bars
  barChart($('#chart-tools'), rows.filter(r => r.tool !== 'unattributed').map(r => ({ name: r.tool, value: Number(r.sources) })),
    { name: 'sources', colour: PALETTE[4] });
  renderTable($('#table-tools'), [
    { key: 'tool', label: 'Tool' },
    { key: 'sources', label: 'Sources', type: 'num' },
    { key: 'packets', label: 'Packets', type: 'num' },
  ], rows);
}

function renderCountries(env) {
  const rows = env.rows || [];
  const known = rows.filter(r => r.country && r.country !== '??');
  const map = mapChart($('#chart-map'), known.map(r => ({ code: r.country, value: Number(r.sources), title: countryName(r.country) })))
    .catch(e => {
      const { error } = panelParts($('#panel-countries'));
      error.hidden = false;
      error.textContent = `The world map could not be drawn: ${e.message}`;
    });
  barChart($('#chart-countries'), rows.map(r => ({ name: countryName(r.country), value: Number(r.sources) })), { name: 'sources' });
  renderTable($('#table-countries'), [
    { key: 'country', label: 'Country', format: v => countryName(v) },
    { key: 'sources', label: 'Sources', type: 'num' },
    { key: 'packets', label: 'Packets', type: 'num' },
  ], rows);
  return map;
}

function renderAsns(env) {
  renderTable($('#table-asns'), [
    { key: 'asn', label: 'ASN', type: 'num', format: v => (Number(v) === 0 ? 'unknown' : `AS${v}`) },
    { key: 'as_name', label: 'Name' },
    { key: 'sources', label: 'Sources', type: 'num' },
    { key: 'packets', label: 'Packets', type: 'num' },
  ], env.rows || []);
}

const SOURCE_COLUMNS = [
  { key: 'src', label: 'Source', link: 'Show this source' },
  { key: 'country', label: 'Country', format: v => countryName(v) },
  { key: 'asn', label: 'ASN', type: 'num', format: v => (Number(v) === 0 ? 'unknown' : `AS${v}`) },
  { key: 'as_name', label: 'AS name' },
  { key: 'packets', label: 'Packets', type: 'num' },
  { key: 'bytes', label: 'Bytes', type: 'num', format: fmtBytes },
  { key: 'ports', label: 'Ports', type: 'num' },
  { key: 'sensors', label: 'Sensors', type: 'num' },
  { key: 'first', label: 'First (UTC)', type: 'time' },
  { key: 'last', label: 'Last (UTC)', type: 'time' },
  { key: 'tool', label: 'Tool' },
];

function renderSources(env) {
  for (const r of env.rows || []) {
    state.sources.set(r.src, r);
  }
  renderTable($('#table-sources'), SOURCE_COLUMNS, env.rows || [], { onLink });
}

function renderScans(env) {
  renderTable($('#table-scans'), SCAN_COLUMNS, env.rows || [], { onLink, empty: 'No scan event in this period.' });
}

const DOS_COLUMNS = [
  { key: 'victim', label: 'Victim', link: 'Show this address' },
  { key: 'country', label: 'Country', format: v => countryName(v) },
  { key: 'asn', label: 'ASN', type: 'num', format: v => (Number(v) === 0 ? 'unknown' : `AS${v}`) },
  { key: 'protocol', label: 'Protocol', format: v => protoName(v) },
  { key: 'start', label: 'Start (UTC)', type: 'time' },
  { key: 'end', label: 'End (UTC)', type: 'time' },
  { key: 'packets', label: 'Packets', type: 'num' },
  { key: 'ports', label: 'Ports', type: 'num' },
  { key: 'attacker_slash16s', label: 'Spoofed /16s', type: 'num', title: 'distinct /16s of the darknet the backscatter reached' },
  { key: 'peak_rate', label: 'Peak /s', type: 'num' },
  { key: 'sensors', label: 'Sensors' },
];

function renderDos(env) {
  renderTable($('#table-dos'), DOS_COLUMNS, env.rows || [], { onLink, empty: 'No DoS attack inferred in this period.' });
}

/** An instant to the minute, UTC: "2024-06-01 00:05". */
function fmtMinute(v) {
  return v === null || v === undefined ? '–' : fmtTime(v).slice(0, 16);
}

const STEP_MS = { '5m': 300e3, '1h': HOUR, '1d': DAY };

/** "the last step (13:00–13:08) is partial" when the period ends inside a step, else "". */
function partialNote(s) {
  const ms = STEP_MS[s];
  const end = Math.min(state.to.getTime(), dataEnd().getTime());
  if (!ms || end % ms === 0) {
    return '';
  }
  const start = Math.floor(end / ms) * ms;
  return ` · the last step (${fmtTime(start).slice(11, 16)}–${fmtTime(end).slice(11, 16)}) holds less than a full ${s}`;
}

function gapsText(gaps) {
  if (Array.isArray(gaps)) {
    if (gaps.length === 0) return 'none';
    const secs = gaps.reduce((s, g) => s + Math.max(0, (Date.parse(g.end) - Date.parse(g.start)) / 1e3), 0);
    return `${gaps.length} (${fmtDuration(secs)})`;
  }
  return fmtNumber(gaps);
}

function renderHealth(env) {
  renderTable($('#table-health'), [
    { key: 'sensor_id', label: 'Sensor' },
    { key: 'country', label: 'State', format: v => countryName(v) },
    { key: 'organisation', label: 'Org.' },
    { key: 'last_heartbeat', label: 'Last seen', title: 'last heartbeat, UTC', format: fmtMinute, type: 'time' },
    { key: 'last_bin', label: 'Last bin', title: 'start of the last bin stored, UTC', format: fmtMinute, type: 'time' },
    { key: 'clock_skew_seconds', label: 'Skew s', title: 'sensor clock minus aggregator clock, seconds', type: 'num' },
    { key: 'kernel_drops', label: 'Kernel drops', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : '') },
    { key: 'interface_drops', label: 'Iface drops', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : '') },
    { key: 'capture_drops', label: 'Bin drops', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : ''), title: 'drops the bins of the period report: kernel, interface and ring' },
    { key: 'capture_ring_drops', label: 'Ring drops', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : ''), title: 'captured packets the sensor\'s hand-over ring had no room for (its pipeline fell behind)' },
    {
      key: 'drop_share', label: 'Drop share', type: 'num', format: fmtPercent, cellClass: v => (Number(v) > 0 ? 'warn' : ''),
      title: 'drops / (packets the kernel filter accepted) in the bins of the period; empty for capture files',
    },
    { key: 'malformed_share', label: 'Malformed', type: 'num', format: fmtPercent },
    { key: 'spool_backlog', label: 'Backlog', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : ''), title: 'spool records not yet shipped' },
    { key: 'evicted_records', label: 'Evicted', type: 'num', cellClass: v => (Number(v) > 0 ? 'warn' : ''), title: 'records the spool evicted before shipping' },
    { key: 'bins', label: 'Bins', type: 'num' },
    { key: 'bins_expected', label: 'of', title: 'bins expected over the sensor\'s life in the period', type: 'num' },
    {
      key: 'coverage', label: 'Coverage', type: 'num', format: v => fmtPercent(v), bar: v => Number(v),
      cellClass: v => (Number(v) < 0.99 ? 'warn' : ''),
    },
    {
      key: 'gaps', label: 'Gaps', type: 'text', value: r => (Array.isArray(r.gaps) ? r.gaps.length : r.gaps),
      format: (v, r) => gapsText(r.gaps),
    },
  ], env.rows || [], { empty: 'No sensor in scope.' });
}

/** The token stopped working (revoked, or this address is locked out): back to the sign-in form. */
function signedOut(e) {
  if (token()) {
    setToken(null);
    state.generation++;
    if ($('#drill').open) {
      $('#drill').close();
    }
    showLogin(e.status === 401 ? 'Your token is no longer accepted (401). Sign in again.' : refusedMessage(e));
  }
}

/**
 * Loads every panel. Unless the sign-in has just done so, /api/v1/meta is asked first: one request
 * shows whether the token still works (a dozen refused ones at once would lock this address out
 * for five minutes) and brings the data range up to date.
 */
async function loadAll(metaIsFresh = false) {
  const generation = ++state.generation;
  document.body.dataset.state = 'loading';
  $('#global-error').hidden = true;
  if (!metaIsFresh) {
    try {
      state.meta = await get('/api/v1/meta');
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 429)) {
        signedOut(e);
        return;
      }
      $('#global-error').hidden = false;
      $('#global-error').textContent = `Could not load the aggregator's metadata: ${e.message}`;
    }
    if (generation !== state.generation) {
      return;
    }
  }
  state.sources.clear();
  state.ports.clear();
  const c = common();
  const s = step();
  const proto = state.proto;
  $('#range-text').textContent =
    `${fmtTime(state.from)} – ${fmtTime(state.to)} UTC · step ${s} · ${state.country ? countryName(state.country) : 'whole region'}` +
    ` · ${proto.toUpperCase()}${partialNote(s)}`;
  const jobs = [
    loadPanel($('#panel-tsubame'), '/api/v1/ports/tsubame', { ...c, proto, step: s, limit: 5 }, renderTsubame($('#panel-tsubame'), proto), generation),
    loadPanel($('#panel-volume'), '/api/v1/volume', { ...c, step: s, by: 'class' }, renderVolume, generation),
    loadPanel($('#panel-ports-tcp'), '/api/v1/ports/top', { ...c, proto: 'tcp', limit: 10 }, renderPorts('tcp'), generation),
    loadPanel($('#panel-ports-udp'), '/api/v1/ports/top', { ...c, proto: 'udp', limit: 10 }, renderPorts('udp'), generation),
    loadPanel($('#panel-surging'), '/api/v1/ports/surging', { to: c.to, country: c.country, proto, limit: 10 }, renderSurging, generation),
    loadPanel($('#panel-tools'), '/api/v1/tools', c, renderTools, generation),
    loadPanel($('#panel-countries'), '/api/v1/countries/top', { ...c, proto, limit: 15 }, renderCountries, generation),
    loadPanel($('#panel-asns'), '/api/v1/asns/top', { ...c, proto, limit: 15 }, renderAsns, generation),
    loadPanel($('#panel-sources'), '/api/v1/sources/top', { ...c, proto, limit: 20 }, renderSources, generation),
    loadPanel($('#panel-scans'), '/api/v1/events/scans', { ...c, proto, limit: 50 }, renderScans, generation),
    loadPanel($('#panel-dos'), '/api/v1/events/dos', { ...c, limit: 50 }, renderDos, generation),
    loadPanel($('#panel-health'), '/api/v1/sensors/health', c, renderHealth, generation),
  ];
  const results = await Promise.allSettled(jobs);
  if (generation === state.generation && !results.some(r => r.status === 'rejected')) {
    document.body.dataset.state = 'ready';
  }
}

// ---------------------------------------------------------------------------------------------
// drill-down

function details(pairs) {
  const dl = $('#drill-details');
  dl.replaceChildren();
  for (const [k, v] of pairs) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
}

const DRILL_PANELS = ['#panel-drill-series', '#panel-drill-sources', '#panel-drill-events', '#panel-drill-dos'];

/** Opens the drill-down dialog with `pairs` of details and loads `jobs` [{panel, path, params, render}]; other panels hide. */
async function openDrill(title, pairs, jobs) {
  const generation = state.generation;
  const dialog = $('#drill');
  $('#drill-title').textContent = title;
  details(pairs);
  dialog.dataset.state = 'loading';
  for (const sel of DRILL_PANELS) {
    $(sel).hidden = !jobs.some(j => j.panel === sel);
  }
  if (!dialog.open) {
    dialog.showModal();
  }
  await Promise.allSettled(jobs.map(j => loadPanel($(j.panel), j.path, j.params, j.render, generation)));
  dialog.dataset.state = 'ready';
}

function drillEvents(params) {
  return {
    panel: '#panel-drill-events', path: '/api/v1/events/scans', params,
    render: env => renderTable($('#table-drill-events'), SCAN_COLUMNS, env.rows || [], { onLink, empty: 'No scan event in this period.' }),
  };
}

function openPort(proto, port) {
  const c = common();
  const s = step();
  const known = state.ports.get(`${proto}/${port}`);
  const pairs = [['Protocol', proto.toUpperCase()], ['Period (UTC)', `${fmtTime(state.from)} – ${fmtTime(state.to)}`]];
  if (known) {
    pairs.push(['Packets', fmtNumber(known.packets)], ['Sources', fmtNumber(known.sources)], ['Share', fmtPercent(known.share)],
      ['Change', fmtChange(known.change)]);
  }
  const dialog = $('#drill');
  dialog.dataset.kind = 'port';
  dialog.dataset.key = `${proto}/${port}`;
  openDrill(`Port ${portLabel(proto, port)}`, pairs, [{
    panel: '#panel-drill-series', path: '/api/v1/ports/series', params: { ...c, proto, port, step: s },
    render: env => {
      const rows = env.rows || [];
      const chart = timeChart($('#chart-drill-series'), [
        { id: 'avg_packets_per_sensor', name: 'packets per sensor', colour: PALETTE[0], data: rows.map(r => [Date.parse(r.time), Number(r.avg_packets_per_sensor)]) },
        { id: 'sources', name: 'sources', colour: PALETTE[1], axis: 2, data: rows.map(r => [Date.parse(r.time), Number(r.sources)]) },
      ], { yName: 'packets per sensor', y2Name: 'sources' });
      chart.resize();
    },
  }, {
    panel: '#panel-drill-sources', path: '/api/v1/sources/top', params: { ...c, proto, port, limit: 20 },
    render: env => renderTable($('#table-drill-sources'), SOURCE_COLUMNS, env.rows || [], { onLink, empty: 'No source in this period.' }),
  }, drillEvents({ ...c, proto, port, limit: 100 })]);
}

function openSource(src, row) {
  const r = state.sources.get(src) || row || {};
  const pairs = [['Address', src]];
  if (r.country !== undefined) pairs.push(['Country', countryName(r.country)]);
  if (r.asn !== undefined) pairs.push(['Network', `${Number(r.asn) ? `AS${r.asn}` : 'unknown'}${r.as_name ? ` ${r.as_name}` : ''}`]);
  if (r.tool !== undefined) pairs.push(['Tool', r.tool || 'none recognised']);
  if (state.sources.has(src)) {
    pairs.push(['Packets', fmtNumber(r.packets)], ['Bytes', fmtBytes(r.bytes)], ['Ports', fmtNumber(r.ports)],
      ['Sensors', fmtNumber(r.sensors)], ['First seen (UTC)', fmtTime(r.first)], ['Last seen (UTC)', fmtTime(r.last)]);
  }
  const dialog = $('#drill');
  dialog.dataset.kind = 'source';
  dialog.dataset.key = src;
  openDrill(`Source ${src}`, pairs, [drillEvents({ ...common(), src, limit: 100 }), {
    panel: '#panel-drill-dos', path: '/api/v1/events/dos', params: { ...common(), victim: src, limit: 100 },
    render: env => renderTable($('#table-drill-dos'), DOS_COLUMNS, env.rows || [], { onLink, empty: 'No DoS attack on this address inferred in this period.' }),
  }]);
}

// ---------------------------------------------------------------------------------------------
// downloads

function fileStem(panel) {
  const q = panel._query;
  const name = q.path.replace('/api/v1/', '').replace(/\//g, '-');
  const extra = ['proto', 'port', 'src'].filter(k => q.params[k] !== undefined && q.params[k] !== '').map(k => String(q.params[k]).replace(/[:.]/g, '_'));
  const day = d => d.slice(0, 16).replace(/[:]/g, '');
  return ['nightjar', name, ...extra, day(q.params.from || ''), day(q.params.to || '')].filter(Boolean).join('_');
}

document.addEventListener('click', async e => {
  const b = e.target.closest('[data-png], [data-csv]');
  if (!b) {
    return;
  }
  const panel = b.closest('.panel');
  if (!panel || !panel._query) {
    return;
  }
  if (b.hasAttribute('data-png')) {
    const el = b.dataset.chart ? document.getElementById(b.dataset.chart) : panel.querySelector('.chart:not(.map)');
    saveBlob(pngBlob(el), `${fileStem(panel)}${b.dataset.chart ? '_map' : ''}.png`);
    return;
  }
  b.disabled = true;
  try {
    await downloadCsv(panel._query.path, panel._query.params, `${fileStem(panel)}.csv`);
    b.dataset.done = 'true';
  } catch (err) {
    const { error } = panelParts(panel);
    error.hidden = false;
    error.textContent = `CSV download failed: ${err.message}`;
  } finally {
    b.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------
// wiring

function init() {
  $('#timezone').textContent = `All times are UTC. Your browser is at ${localOffsetText()}.`;
  $('#login-form').addEventListener('submit', e => {
    e.preventDefault();
    const value = $('#token').value.trim();
    if (!value) {
      return;
    }
    setToken(value);
    signIn();
  });
  $('#logout').addEventListener('click', () => {
    setToken(null);
    state.meta = null;
    state.generation++;
    if ($('#drill').open) {
      $('#drill').close();
    }
    showLogin('');
  });
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.title = `the last ${PRESET_DAYS[b.dataset.preset]} day(s) up to the end of the stored data`;
    b.addEventListener('click', () => {
      applyPreset(b.dataset.preset);
      loadAll();
    });
  }
  $('#controls').addEventListener('submit', e => {
    e.preventDefault();
    const from = fromInputValue($('#from').value);
    const to = fromInputValue($('#to').value);
    if (!from || !to || from >= to) {
      $('#global-error').hidden = false;
      $('#global-error').textContent = 'Choose a start before the end.';
      return;
    }
    $('#global-error').hidden = true;
    state.from = from;
    state.to = to;
    state.preset = null;
    for (const p of document.querySelectorAll('[data-preset]')) {
      p.classList.remove('active');
      p.setAttribute('aria-pressed', 'false');
    }
    loadAll();
  });
  for (const id of ['country', 'proto', 'step']) {
    $(`#${id}`).addEventListener('change', e => {
      state[id] = e.target.value;
      loadAll();
    });
  }
  $('#drill-close').addEventListener('click', () => $('#drill').close());
  if (token()) {
    signIn();
  } else {
    showLogin('');
  }
}

init();
