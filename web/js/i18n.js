// Every string the UI shows, in English and Russian. Zone, scene and criterion names come
// localized from the API (maps of language code -> text); `localized()` picks one.
// The chosen language persists in localStorage.

import { en } from './strings/en.js';
import { ru } from './strings/ru.js';

const STORAGE_KEY = 'atmo.lang';
const TABLES = { en, ru };
export const LANGUAGES = { en: 'English', ru: 'Русский' };

let current = pickInitial();
const listeners = new Set();

function pickInitial() {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* private mode: keep the default */ }
  if (saved && TABLES[saved]) return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function language() { return current; }

export function setLanguage(lang) {
  if (!TABLES[lang] || lang === current) return;
  current = lang;
  try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* not persisted; still switch */ }
  document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// t('hold.until', {time: '18:00'}) -> "held until 18:00". A missing key shows itself, so it is
// noticed in review rather than silently blank.
export function t(key, vars) {
  let text = TABLES[current][key] ?? TABLES.en[key] ?? key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

// Russian needs three plural forms; English two.
export function plural(key, n) {
  const forms = t(key).split('|');
  let index;
  if (current === 'ru') {
    const mod10 = n % 10, mod100 = n % 100;
    index = mod10 === 1 && mod100 !== 11 ? 0 : mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14) ? 1 : 2;
  } else {
    index = n === 1 ? 0 : 1;
  }
  return (forms[Math.min(index, forms.length - 1)] ?? forms[0]).replace('{n}', String(n));
}

// A map of language code -> text from the API (protobuf map<string,string>).
export function localized(names, fallback = '') {
  if (!names || typeof names !== 'object') return typeof names === 'string' ? names : fallback;
  return names[current] ?? names.en ?? Object.values(names)[0] ?? fallback;
}

export function locale() { return current === 'ru' ? 'ru-RU' : 'en-GB'; }

document.documentElement.lang = current;
