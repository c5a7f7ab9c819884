// Evening (dark) theme by default; the light theme is a choice kept in localStorage.
const KEY = 'atmo.theme';

export function currentTheme() { return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark'; }

export function applySavedTheme() {
  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch { /* keep the default */ }
  document.documentElement.dataset.theme = saved === 'light' ? 'light' : 'dark';
}

export function toggleTheme() {
  const next = currentTheme() === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem(KEY, next); } catch { /* not persisted */ }
}
