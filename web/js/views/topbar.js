// The bar on every screen: venue, clock, venue scenes one tap away, language, theme, user.
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized, language, setLanguage, LANGUAGES } from '../i18n.js';
import { api } from '../api.js';
import { clockTime, longDate } from '../format.js';
import { state, subscribe, setZone, notify } from '../store.js';
import { openSheet, holdSelect } from './sheet.js';
import { toast, errorText } from './toast.js';
import { currentTheme, toggleTheme } from '../theme.js';

export function topbar({ onLogout, onHome }) {
  const clock = h('span', { class: 'clock' });
  const scenes = h('nav', { class: 'venue-scenes', 'aria-label': t('venue.scenes') });
  const venueName = h('button', { class: 'venue ghost', type: 'button', onclick: onHome });
  const connection = h('div', { class: 'connection', role: 'status', hidden: true });
  // A run on a pinned or scaled venue clock (--clock/--rate: tests, the time-lapse demo) says so
  // on every screen, so nobody takes its times for the real ones.
  const simulated = h('div', { class: 'simulated-time', role: 'status', hidden: true });
  const userName = h('span', { class: 'user' });
  const langButton = h('button', { class: 'ghost', type: 'button', dataset: { action: 'language' },
    onclick: () => setLanguage(language() === 'en' ? 'ru' : 'en') });
  const themeButton = h('button', { class: 'ghost', type: 'button', dataset: { action: 'theme' }, onclick: () => { toggleTheme(); renderTools(); } });
  const logout = h('button', { class: 'ghost', type: 'button', dataset: { action: 'logout' }, onclick: onLogout });

  const bar = h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, venueName, clock), scenes,
    h('div', { class: 'tools' }, userName, langButton, themeButton, logout));

  // Venue time, not the tablet's: the daemon's status carries it and its rate.
  let statusTime = null;
  function venueNow() {
    const status = state.status;
    if (!status?.timeMs) return Date.now();
    if (!statusTime || statusTime.timeMs !== status.timeMs) statusTime = { timeMs: Number(status.timeMs), at: Date.now() };
    return statusTime.timeMs + (Date.now() - statusTime.at) * (status.simulatedTime ? (status.clockRate || 1) : 1);
  }

  function renderClock() {
    const now = venueNow();
    clock.textContent = `${longDate(now)} · ${clockTime(now)}`;
    const status = state.status;
    simulated.hidden = !status?.simulatedTime;
    if (status?.simulatedTime) {
      const rate = status.clockRate && status.clockRate !== 1 ? t('clock.rate', { rate: status.clockRate }) : '';
      simulated.textContent = t('clock.simulated', { time: `${longDate(now)} ${clockTime(now)}`, rate });
    }
  }

  function renderTools() {
    const other = language() === 'en' ? 'ru' : 'en';
    langButton.textContent = other.toUpperCase();
    langButton.setAttribute('aria-label', t('action.language', { language: LANGUAGES[other] }));
    langButton.title = LANGUAGES[other];
    const dark = currentTheme() === 'dark';
    replace(themeButton, icon(dark ? 'sun' : 'moon'));
    themeButton.setAttribute('aria-label', dark ? t('action.theme_light') : t('action.theme_dark'));
    themeButton.title = themeButton.getAttribute('aria-label');
    replace(logout, icon('logout'));
    logout.setAttribute('aria-label', t('action.logout'));
    logout.title = t('action.logout');
    const user = state.session?.user;
    userName.textContent = user ? user.displayName || user.username : '';
  }

  let shownKey = '';
  function renderScenes() {
    venueName.textContent = localized(state.venue?.name, 'atmo');
    // Marked: the venue scene every zone runs right now (none when zones differ).
    const running = (scene) => state.zones.size > 0 && [...state.zones.values()].every((z) => {
      const wanted = scene.zones?.[z.zone];
      return wanted === undefined || wanted === z.scene;
    });
    const list = state.venue?.venueScenes ?? [];
    // Rebuild only when something shown changed: a button replaced mid-tap loses the tap.
    const key = `${language()}|${list.map((scene) => `${scene.id}:${running(scene)}`).join(',')}`;
    if (key === shownKey) return;
    shownKey = key;
    replace(scenes, list.map((scene) => {
      const current = running(scene);
      return h('button', { type: 'button', class: current ? 'current' : '', dataset: { venueScene: scene.id },
                           'aria-current': current ? 'true' : null, onclick: () => confirmVenueScene(scene) },
        localized(scene.name, scene.id));
    }));
  }

  function renderConnection() {
    const down = state.connection === 'reconnecting';
    connection.hidden = !down;
    if (down) replace(connection, icon('offline'), t('connection.reconnecting'));
  }

  function confirmVenueScene(scene) {
    const hold = holdSelect('venue-hold');
    const name = localized(scene.name, scene.id);
    openSheet({
      title: t('venue.apply_title', { scene: name }),
      body: h('div', {}, h('p', {}, t('venue.apply_body', { scene: name })),
        h('label', {}, t('hold.label'), hold)),
      confirmText: t('action.apply'),
      onConfirm: async () => {
        try {
          const result = await api.applyVenueScene(scene.id, Number(hold.value), 'tablet');
          for (const z of result?.zones ?? []) setZone(z);
          notify('zones', 'readings');
          toast(t('venue.applied', { scene: name }));
        } catch (err) {
          throw new Error(errorText(err, { fireAlarm: state.status?.fireAlarm }));
        }
      },
    });
  }

  renderClock();
  renderTools();
  renderScenes();
  renderConnection();
  // Each second: on a fast venue clock the minutes go by quickly.
  const timer = setInterval(renderClock, 1000);
  const unsubscribe = subscribe(['venue', 'status', 'zones', 'language'], () => { renderScenes(); renderTools(); renderClock(); });
  const unsubscribeConnection = subscribe(['connection'], renderConnection);
  return {
    elements: [bar, simulated, connection],
    destroy() { clearInterval(timer); unsubscribe(); unsubscribeConnection(); },
  };
}
