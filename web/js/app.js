// Boots the tablet UI: first-run setup or login, then the live screens (home, zone) with a hash
// route (#/ and #/zone/<id>), the WebSocket stream and the theme and language choices.
import { h, replace } from './dom.js';
import { t, localized, onLanguageChange } from './i18n.js';
import { api, onAuthProblem } from './api.js';
import { LiveSocket } from './ws.js';
import { setTimeZone } from './format.js';
import { state, notify, loadAll, applyMessage } from './store.js';
import { applySavedTheme } from './theme.js';
import { topbar } from './views/topbar.js';
import { fireBanner } from './views/alarms.js';
import { homeView } from './views/home.js';
import { zoneView } from './views/zone.js';
import { loginView, setupView } from './views/login.js';
import { toast, errorText } from './views/toast.js';

applySavedTheme();

const root = document.getElementById('app');
let mounted = [];        // parts of the current screen, each with destroy()
let screen = 'boot';     // 'setup' | 'login' | 'live'

const socket = new LiveSocket({
  onMessage(message) {
    if (message.type === 'session_expired') { endSession(t('login.expired')); return; }
    if (message.type === 'hello' && message.hello) state.session = message.hello;
    applyMessage(message);
  },
  onState(connection) {
    const wasDown = state.connection === 'reconnecting';
    state.connection = connection;
    notify('connection');
    // Messages sent while we were away are gone: read the whole state again.
    if (connection === 'open' && wasDown) loadAll().catch(() => {});
    // A socket that cannot come back may mean the session ended (daemon restarted, idle
    // timeout): ask, and the 401 handler shows the login screen.
    if (connection === 'reconnecting' && screen === 'live') api.me().catch(() => {});
  },
});

function unmount() {
  for (const part of mounted) part.destroy?.();
  mounted = [];
}

function mount(...parts) {
  unmount();
  mounted = parts;
  replace(root, parts.flatMap((p) => p.elements ?? [p.element]));
}

function route() {
  const match = /^#\/zone\/([^/]+)$/.exec(location.hash);
  return match ? { name: 'zone', zone: decodeURIComponent(match[1]) } : { name: 'home' };
}

function renderLive() {
  screen = 'live';
  const r = route();
  const bar = topbar({ onLogout: logout, onHome: () => { location.hash = '#/'; } });
  const fire = fireBanner();
  const view = r.name === 'zone'
    ? zoneView(r.zone, { goHome: () => { location.hash = '#/'; } })
    : homeView({ openZone: (id) => { location.hash = `#/zone/${encodeURIComponent(id)}`; } });
  mount(bar, fire, view);
  document.title = `${localized(state.venue?.name, 'atmo')} — atmo`;
  window.scrollTo(0, 0);
}

async function startLive(session) {
  state.session = session;
  try {
    await loadAll();
  } catch (err) {
    if (err.status === 401 || err.code === 'setup_required') return;  // handled by the listeners
    toast(errorText(err), 'error');
  }
  setTimeZone(state.venue?.timeZone);
  renderLive();
  socket.start();
}

function showLogin(message) {
  screen = 'login';
  socket.stop();
  const view = loginView({ onLoggedIn: startLive, venueName: localized(state.venue?.name, 'atmo') });
  mount(view);
  if (message) toast(message, 'error');
  document.getElementById('login-user')?.focus({ preventScroll: true });
}

function showSetup() {
  screen = 'setup';
  socket.stop();
  mount(setupView({ onDone: startLive }));
}

function endSession(message) {
  state.session = null;
  showLogin(message);
}

async function logout() {
  try { await api.logout(); } catch { /* the session ends here either way */ }
  endSession();
}

onAuthProblem('unauthorized', () => { if (screen === 'live') endSession(t('login.expired')); });
onAuthProblem('setup_required', () => { if (screen !== 'setup') showSetup(); });

window.addEventListener('hashchange', () => { if (screen === 'live') renderLive(); });
onLanguageChange(() => {
  if (screen === 'live') renderLive();
  else if (screen === 'login') showLogin();
  else if (screen === 'setup') showSetup();
  notify('language');
});

// Keep clocks, "fading" and "ago" texts honest after the tablet wakes from sleep.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && screen === 'live') loadAll().catch(() => {});
});

async function boot() {
  replace(root, h('main', { class: 'login-wrap' }, h('p', { class: 'muted' }, t('boot.loading'))));
  try {
    const setup = await api.setupState();
    if (setup?.needed) { showSetup(); return; }
  } catch (err) {
    if (err.code === 'setup_required') { showSetup(); return; }
    if (err.status === 0) {
      replace(root, h('main', { class: 'login-wrap' }, h('div', { class: 'login' },
        h('p', { class: 'error' }, errorText(err)),
        h('button', { type: 'button', class: 'primary', onclick: boot }, t('action.retry')))));
      return;
    }
  }
  try {
    const session = await api.me();
    await startLive(session);
  } catch (err) {
    if (screen === 'boot' || screen === 'live') showLogin();
  }
}

boot();
