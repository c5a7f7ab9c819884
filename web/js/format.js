// Numbers, units and times as staff read them: venue-local clock times, one decimal where it
// matters, units always shown.
import { locale, t, plural } from './i18n.js';

let timeZone = undefined;  // the venue's IANA zone once known; the browser's until then
export function setTimeZone(zone) { timeZone = zone || undefined; }

function formatter(options) {
  try { return new Intl.DateTimeFormat(locale(), { timeZone, ...options }); }
  catch { return new Intl.DateTimeFormat(locale(), options); }
}

export function clockTime(ms) {
  return formatter({ hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

export function dayAndTime(ms) {
  return formatter({ weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

export function longDate(ms) {
  return formatter({ weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(ms));
}

// "YYYY-MM-DD" of an instant in the venue's zone.
export function localDate(ms) {
  const parts = formatter({ year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (type) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// Minutes since local midnight in the venue's zone.
export function localMinutes(ms) {
  const parts = formatter({ hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(new Date(ms));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0) % 24;
  return hour * 60 + Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
}

// "HH:MM" -> minutes since midnight.
export function parseHhMm(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

const DECIMALS = { '°C': 1, '%': 0, lx: 0, dBA: 0, dB: 0, ppm: 0, K: 0, s: 0 };

export function number(value, decimals = 1) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: decimals, minimumFractionDigits: 0, useGrouping: false }).format(value);
}

// Units as the venue's staff write them (lx -> лк in Russian); unknown units pass through.
export function unitText(unit) {
  const key = `u.${unit}`;
  const text = t(key);
  return text === key ? unit : text;
}

export function withUnit(value, unit) {
  if (value === undefined || value === null || Number.isNaN(Number(value))) return '—';
  const d = DECIMALS[unit] ?? 1;
  const text = number(Number(value), d);
  return unit ? `${text}\u00a0${unitText(unit)}` : text;
}

export function duration(ms) {
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return plural('unit.seconds', totalSeconds);
  const minutes = Math.round(totalSeconds / 60);
  if (minutes < 90) return plural('unit.minutes', minutes);
  const hours = Math.floor(minutes / 60), rest = minutes % 60;
  return rest ? `${plural('unit.hours', hours)} ${plural('unit.minutes', rest)}` : plural('unit.hours', hours);
}

export function ago(ms, now = Date.now()) {
  const diff = Math.max(0, now - ms);
  if (diff < 60000) return t('time.just_now');
  return t('time.ago', { duration: duration(diff) });
}
