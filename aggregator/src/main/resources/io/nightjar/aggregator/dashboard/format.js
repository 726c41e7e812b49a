// Formatting: numbers with separators, times always in UTC, country names.

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
let regionNames = null;
try {
  regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
} catch (e) {
  regionNames = null;
}

export function fmtNumber(v) {
  if (v === null || v === undefined || v === '') {
    return '–';
  }
  const n = Number(v);
  if (!Number.isFinite(n)) {
    return String(v);
  }
  const text = numberFormat.format(n);
  // -0.001 rounds to "-0"
  return text === '-0' ? '0' : text;
}

/** A fraction (0.25) as a percentage ("25.0 %"). */
export function fmtPercent(v) {
  if (v === null || v === undefined) {
    return '–';
  }
  const p = Number(v) * 100;
  // small shares (malformed packets, drops) keep two significant digits instead of showing 0.0 %
  return p !== 0 && Math.abs(p) < 0.1 ? `${p.toPrecision(2)} %` : `${p.toFixed(1)} %`;
}

/** A relative change (0.5) as "+50 %"; null (no previous period) as "new". */
export function fmtChange(v) {
  if (v === null || v === undefined) {
    return 'new';
  }
  const p = Number(v) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(p !== 0 && Math.abs(p) < 10 ? 1 : 0)} %`;
}

export function fmtBytes(v) {
  if (v === null || v === undefined) {
    return '–';
  }
  let n = Number(v);
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** An instant (ISO string, Date or ms) as "2024-06-01 00:05:00" in UTC. */
export function fmtTime(v) {
  if (v === null || v === undefined || v === '') {
    return '–';
  }
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) {
    return String(v);
  }
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A duration in seconds as "3 d 4 h", "12 min", "40 s". */
export function fmtDuration(seconds) {
  let s = Math.max(0, Math.round(Number(seconds)));
  if (s < 120) {
    return `${s} s`;
  }
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (d > 0) {
    return h > 0 ? `${d} d ${h} h` : `${d} d`;
  }
  if (h > 0) {
    return m > 0 ? `${h} h ${m} min` : `${h} h`;
  }
  return `${m} min`;
}

/** "TH" as "Thailand (TH)"; "??" as "unknown". */
export function countryName(code) {
  if (!code || code === '??') {
    return 'unknown';
  }
  let name = null;
  try {
    name = regionNames ? regionNames.of(code) : null;
  } catch (e) {
    name = null;
  }
  return name && name !== code ? `${name} (${code})` : code;
}

/** Value for an <input type=datetime-local> that shows `date` in UTC. */
export function toInputValue(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** The instant an <input type=datetime-local> value means when read as UTC, or null. */
export function fromInputValue(value) {
  if (!value) {
    return null;
  }
  const d = new Date(`${value.length === 16 ? value + ':00' : value}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** An instant as the API's ISO-8601 UTC form without milliseconds. */
export function isoUtc(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "UTC+07:00 (Asia/Bangkok)": the browser's offset from UTC, for the note beside the times. */
export function localOffsetText(date = new Date()) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '−';
  const a = Math.abs(minutes);
  let zone = '';
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    zone = '';
  }
  return `UTC${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}${zone ? ` (${zone})` : ''}`;
}
