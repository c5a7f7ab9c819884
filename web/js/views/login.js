// Login: the staff member's name and a PIN on a large keypad (a password works too: the
// "keyboard" link swaps the keypad for a text field). Recent names are offered as buttons.
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, language, setLanguage, LANGUAGES } from '../i18n.js';
import { api } from '../api.js';
import { errorText } from './toast.js';

const RECENT_KEY = 'atmo.recentUsers';
const MAX_PIN = 12;

function recentUsers() {
  try { return JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]').filter((u) => typeof u === 'string').slice(0, 6); }
  catch { return []; }
}

function rememberUser(name) {
  const list = [name, ...recentUsers().filter((u) => u !== name)].slice(0, 6);
  try { localStorage.setItem(RECENT_KEY, JSON.stringify(list)); } catch { /* not kept */ }
}

export function languageButton() {
  const other = language() === 'en' ? 'ru' : 'en';
  return h('button', { type: 'button', class: 'ghost', dataset: { action: 'language' }, onclick: () => setLanguage(other) }, LANGUAGES[other]);
}

export function loginView({ onLoggedIn, venueName, demoNotice }) {
  let pin = '';
  let usePassword = false;
  const userInput = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', value: recentUsers()[0] ?? '' });
  const passwordInput = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const dots = h('div', { class: 'pin-dots', 'aria-live': 'polite' });
  const error = h('div', { class: 'error', role: 'alert' });
  const secretArea = h('div');
  const submit = h('button', { class: 'primary', type: 'submit', dataset: { action: 'login' } }, t('login.submit'));

  function renderDots() {
    replace(dots, Array.from({ length: Math.max(4, pin.length) }, (_, i) => h('span', { class: i < pin.length ? 'filled' : '' })));
    dots.setAttribute('aria-label', t('login.pin_digits', { n: pin.length }));
  }

  function key(label, onPress, extra = {}) {
    return h('button', { type: 'button', onclick: onPress, ...extra }, label);
  }

  function renderSecret() {
    if (usePassword) {
      replace(secretArea, h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), passwordInput));
      return;
    }
    const digit = (d) => key(d, () => { if (pin.length < MAX_PIN) { pin += d; renderDots(); error.textContent = ''; } }, { dataset: { key: d } });
    replace(secretArea, h('div', { class: 'field' }, h('span', { class: 'sr-only' }, t('login.pin')), dots),
      h('div', { class: 'keypad' },
        ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(digit),
        key(t('login.clear_short'), () => { pin = ''; renderDots(); }, { dataset: { key: 'clear' }, 'aria-label': t('login.clear'), class: 'ghost' }),
        digit('0'),
        key('⌫', () => { pin = pin.slice(0, -1); renderDots(); }, { dataset: { key: 'back' }, 'aria-label': t('login.backspace'), class: 'ghost' })));
    renderDots();
  }

  async function doLogin(event) {
    event?.preventDefault();
    const username = userInput.value.trim();
    const secret = usePassword ? passwordInput.value : pin;
    if (!username) { error.textContent = t('login.need_user'); userInput.focus(); return; }
    if (!secret) { error.textContent = t('login.need_secret'); return; }
    submit.disabled = true;
    error.textContent = '';
    try {
      const session = await api.login(username, secret);
      rememberUser(username);
      pin = '';
      onLoggedIn(session);
    } catch (err) {
      pin = '';
      renderDots();
      passwordInput.value = '';
      replace(error, icon('out'), err.status === 401 ? t('login.wrong') : errorText(err));
    } finally {
      submit.disabled = false;
    }
  }

  const recents = recentUsers();
  const form = h('form', { class: 'login', onsubmit: doLogin, autocomplete: 'off' },
    h('h1', {}, venueName || 'atmo'),
    h('p', { class: 'sub' }, t('login.title')),
    demoNotice ? h('p', { class: 'notice' }, demoNotice) : null,
    recents.length > 1 ? h('div', { class: 'users' }, recents.map((name) =>
      h('button', { type: 'button', onclick: () => { userInput.value = name; error.textContent = ''; } }, name))) : null,
    h('div', { class: 'field' }, h('label', { for: 'login-user' }, t('login.user')), userInput),
    secretArea, error, submit,
    h('div', { class: 'login-tools' },
      h('button', { type: 'button', class: 'ghost', dataset: { action: 'toggle-secret' },
                    onclick: (e) => { usePassword = !usePassword; e.currentTarget.textContent = usePassword ? t('login.use_pin') : t('login.use_password'); renderSecret(); } },
        t('login.use_password')),
      languageButton()));

  // A hardware keyboard works too: digits type into the keypad, Enter logs in.
  function onKey(e) {
    if (usePassword || document.activeElement === userInput) return;
    if (/^[0-9]$/.test(e.key) && pin.length < MAX_PIN) { pin += e.key; renderDots(); }
    else if (e.key === 'Backspace') { pin = pin.slice(0, -1); renderDots(); }
    else if (e.key === 'Enter') doLogin(e);
  }
  document.addEventListener('keydown', onKey);
  renderSecret();
  return {
    element: h('main', { class: 'login-wrap', id: 'login' }, form),
    destroy() { document.removeEventListener('keydown', onKey); },
  };
}

// First run: no user exists, so the first person creates the administrator.
export function setupView({ onDone }) {
  const username = h('input', { id: 'setup-user', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false' });
  const displayName = h('input', { id: 'setup-name', name: 'displayName', autocomplete: 'name' });
  const secret = h('input', { id: 'setup-secret', name: 'secret', type: 'password', autocomplete: 'new-password', inputmode: 'numeric' });
  const again = h('input', { id: 'setup-again', name: 'again', type: 'password', autocomplete: 'new-password', inputmode: 'numeric' });
  const error = h('div', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary', type: 'submit', dataset: { action: 'setup' } }, t('setup.submit'));

  function valid(text) { return /^\d{4,}$/.test(text) || text.length >= 8; }

  async function create(event) {
    event.preventDefault();
    error.textContent = '';
    if (!username.value.trim()) { error.textContent = t('login.need_user'); return; }
    if (!valid(secret.value)) { error.textContent = t('setup.secret_rule'); return; }
    if (secret.value !== again.value) { error.textContent = t('setup.mismatch'); return; }
    submit.disabled = true;
    try {
      const session = await api.setup(username.value.trim(), displayName.value.trim(), secret.value);
      rememberUser(username.value.trim());
      onDone(session);
    } catch (err) {
      error.textContent = errorText(err);
    } finally {
      submit.disabled = false;
    }
  }

  const field = (id, label, input, hint) => h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('span', { class: 'faint' }, hint) : null);
  return {
    element: h('main', { class: 'login-wrap', id: 'setup' }, h('form', { class: 'login', onsubmit: create },
      h('h1', {}, t('setup.title')),
      h('p', { class: 'sub' }, t('setup.intro')),
      field('setup-user', t('login.user'), username),
      field('setup-name', t('setup.display_name'), displayName),
      field('setup-secret', t('setup.secret'), secret, t('setup.secret_rule')),
      field('setup-again', t('setup.again'), again),
      error, submit, h('div', { class: 'login-tools' }, languageButton()))),
    destroy() {},
  };
}
