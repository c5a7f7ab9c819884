// Home: alarms first, then the client journey as zone cards in journey order, then today's
// program and the checklist.
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { state, subscribe } from '../store.js';
import { zoneCard } from './zone_card.js';
import { alarmList } from './alarms.js';
import { programPanel } from './program.js';
import { checklistPanel } from './checklist.js';

export function homeView({ openZone }) {
  const journey = h('div', { class: 'journey', role: 'list' });
  const alarms = alarmList();
  const program = programPanel();
  const checklist = checklistPanel();
  const loadNote = h('p', { class: 'muted', role: 'status' });

  // Cards are kept and only their insides renewed: readings arrive twice a second, and a card
  // replaced between finger-down and finger-up would swallow the tap.
  const cards = new Map();
  function renderJourney() {
    const zones = state.venue?.zones ?? [];
    const wanted = zones.map((zone, index) => {
      const fresh = zoneCard(zone, index, openZone);
      fresh.setAttribute('role', 'listitem');
      const kept = cards.get(zone.id);
      if (!kept) { cards.set(zone.id, fresh); return fresh; }
      kept.setAttribute('aria-label', fresh.getAttribute('aria-label'));
      replace(kept, ...fresh.childNodes);
      return kept;
    });
    if (journey.children.length !== wanted.length || wanted.some((card, i) => journey.children[i] !== card)) replace(journey, wanted);
    loadNote.textContent = state.loadError && !zones.length ? t('home.load_failed') : '';
    loadNote.hidden = !loadNote.textContent;
  }

  const root = h('main', { id: 'home' },
    alarms.element,
    h('section', { 'aria-labelledby': 'journey-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'journey-title' }, t('home.journey')), h('span', { class: 'hint' }, t('home.tap_zone'))),
      loadNote, journey),
    h('div', { class: 'home-lower' }, program.element, checklist.element));

  renderJourney();
  // The cards show fade progress too: refresh them every half minute even with no message.
  const timer = setInterval(renderJourney, 30000);
  const unsubscribe = subscribe(['venue', 'zones', 'readings', 'language', 'load'], renderJourney);
  return {
    element: root,
    destroy() { clearInterval(timer); unsubscribe(); alarms.destroy(); program.destroy(); checklist.destroy(); },
  };
}
