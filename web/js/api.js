// The REST client: JSON in and out, a timeout on every request so the UI never hangs on a dead
// connection, and errors as ApiError values carrying the server's message for a person.
// int64 fields arrive as strings (protobuf JSON mapping); callers use num() on them.

const BASE = '/api/v1';
const TIMEOUT_MS = 10000;

export class ApiError extends Error {
  constructor(status, code, message, field = '') {
    super(message || code || `HTTP ${status}`);
    this.status = status;   // 0 = no answer (network down, timeout)
    this.code = code;       // "unauthorized", "forbidden", "conflict", "setup_required", "network", …
    this.field = field;
  }
}

const listeners = { unauthorized: new Set(), setup_required: new Set() };
export function onAuthProblem(kind, fn) { listeners[kind].add(fn); }

export async function request(method, path, body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    throw new ApiError(0, err.name === 'AbortError' ? 'timeout' : 'network', '');
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const code = data?.error ?? `http_${response.status}`;
    const error = new ApiError(response.status, code, data?.message ?? '', data?.field ?? '');
    if (code === 'setup_required') for (const fn of listeners.setup_required) fn(error);
    else if (response.status === 401 && !path.startsWith('/login')) for (const fn of listeners.unauthorized) fn(error);
    throw error;
  }
  return data;
}

// protobuf JSON: int64 as string, absent defaults, enum names.
export function num(value) {
  if (value === undefined || value === null || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

const enc = encodeURIComponent;

export const api = {
  setupState: () => request('GET', '/setup'),
  setup: (username, displayName, secret) => request('POST', '/setup', { username, displayName, secret }),
  login: (username, secret) => request('POST', '/login', { username, secret }),
  logout: () => request('POST', '/logout', {}),
  me: () => request('GET', '/me'),
  status: () => request('GET', '/status'),
  venue: () => request('GET', '/venue'),
  zones: () => request('GET', '/zones'),
  zone: (zone) => request('GET', `/zones/${enc(zone)}`),
  applyZoneScene: (zone, scene, holdMinutes, reason) =>
    request('POST', `/zones/${enc(zone)}/scene`, { scene, holdMinutes, reason }),
  applyVenueScene: (scene, holdMinutes, reason) => request('POST', '/venue/scene', { scene, holdMinutes, reason }),
  readings: (points, fromMs, toMs, stepMs) =>
    request('GET', `/readings?points=${points.map(enc).join(',')}&from=${fromMs}&to=${toMs}&step=${stepMs}`),
  compliance: () => request('GET', '/compliance'),
  checklist: () => request('GET', '/checklist'),
  confirm: (zone, item) => request('POST', `/zones/${enc(zone)}/checklist/${enc(item)}/confirm`, {}),
  schedule: (days = 2) => request('GET', `/schedule?days=${days}`),
  alarms: () => request('GET', '/alarms'),
  ack: (id, note = '') => request('POST', `/alarms/${enc(id)}/ack`, { note }),
};
