// The query API of aggregator/API.md: bearer token, JSON envelope, CSV downloads.

const TOKEN_KEY = 'nightjar.token';
// The token of this page, kept in memory for its requests and in sessionStorage for reloads of the
// tab; a request never goes out without one (every refused request counts against this address).
let current = sessionStorage.getItem(TOKEN_KEY);

/** Raised for any answer that is not 2xx; `status` 401 means the token was refused. */
export class ApiError extends Error {
  constructor(status, message, parameter) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.parameter = parameter;
  }
}

export function token() {
  return current;
}

export function setToken(value) {
  current = value || null;
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

/** `path` plus the non-empty parameters, in a stable order (the same URL for JSON and CSV). */
export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') {
      q.append(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function request(path, params, accept) {
  const t = current;
  if (!t) {
    throw new ApiError(401, 'not signed in');
  }
  let res;
  try {
    res = await fetch(url(path, params), {
      headers: { 'Authorization': `Bearer ${t}`, 'Accept': accept },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, `the aggregator did not answer (${e.message})`);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    let parameter;
    try {
      const body = await res.json();
      if (body && body.error) {
        message = body.error;
        parameter = body.parameter;
      }
    } catch (e) {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message, parameter);
  }
  return res;
}

/** GET a JSON answer (the envelope). */
export async function get(path, params = {}) {
  const res = await request(path, params, 'application/json');
  return res.json();
}

/** GET the same query with format=csv and save it as a file. */
export async function downloadCsv(path, params, filename) {
  const res = await request(path, { ...params, format: 'csv' }, 'text/csv');
  const blob = await res.blob();
  saveBlob(new Blob([blob], { type: 'text/csv' }), filename);
}

/** Saves `blob` under `filename` through a temporary link. */
export function saveBlob(blob, filename) {
  const href = URL.createObjectURL(blob);
  saveHref(href, filename);
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

export function saveHref(href, filename) {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
}
