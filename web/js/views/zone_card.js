// A zone of the client journey at a glance: scene, hold, the five senses and live readings.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized } from '../i18n.js';
import { num } from '../api.js';
import { clockTime, duration } from '../format.js';
import { state, sceneInfo } from '../store.js';
import { senseRow } from './senses.js';
import { quantityLabel, valueCell } from './readings.js';

// The measured points a person looks at first; outputs and fault codes stay on the zone screen.
const CARD_QUANTITIES = ['QUANTITY_AIR_TEMPERATURE', 'QUANTITY_HUMIDITY', 'QUANTITY_ILLUMINANCE', 'QUANTITY_NOISE',
  'QUANTITY_CO2', 'QUANTITY_FLOOR_TEMPERATURE', 'QUANTITY_WARMER_TEMPERATURE', 'QUANTITY_SCENT_CARTRIDGE'];

export function cardPoints(zone) {
  const points = (zone.points ?? []).filter((p) => !p.output && CARD_QUANTITIES.includes(p.quantity));
  points.sort((a, b) => CARD_QUANTITIES.indexOf(a.quantity) - CARD_QUANTITIES.indexOf(b.quantity));
  // one per quantity (the climate controller and the air sensor both measure air temperature)
  const seen = new Set();
  return points.filter((p) => (seen.has(p.quantity) ? false : seen.add(p.quantity)));
}

export function holdText(hold) {
  if (!hold || hold.kind === 'none' || !hold.kind) return null;
  if (hold.kind === 'until_time') return t('hold.until', { time: clockTime(num(hold.untilMs)) });
  return t('hold.next_change');
}

export function fadeText(status, now = Date.now()) {
  const end = num(status?.sinceMs) + num(status?.fadeMs);
  return end > now ? t('zone.fading', { left: duration(end - now) }) : null;
}

export function zoneCard(zone, index, onOpen) {
  const status = state.zones.get(zone.id);
  const scene = status ? sceneInfo(zone.id, status.scene) : null;
  const hold = holdText(status?.hold);
  const fading = fadeText(status);
  const sceneName = status ? localized(scene?.name, status.scene || t('zone.no_scene')) : t('zone.loading');
  return h('button', { class: 'zone-card', type: 'button', dataset: { zone: zone.id }, onclick: () => onOpen(zone.id),
                       'aria-label': `${localized(zone.name, zone.id)} — ${sceneName}` },
    h('div', { class: 'head' },
      h('span', { class: 'step' }, String(index + 1).padStart(2, '0')),
      h('span', { class: 'name' }, localized(zone.name, zone.id))),
    h('div', { class: 'scene' },
      h('span', { class: 'scene-name', dataset: { scene: status?.scene ?? '' } }, sceneName),
      hold ? h('span', { class: 'badge hold' }, icon('hold'), hold) : null,
      status?.fireAlarm ? h('span', { class: 'badge status-out' }, icon('fire'), t('fire.short')) : null),
    fading ? h('div', { class: 'fading' }, fading) : null,
    senseRow(status?.senses),
    readingTiles(zone));
}

export function readingTiles(zone) {
  return h('dl', { class: 'readings' }, cardPoints(zone).map((p) =>
    h('div', { dataset: { point: p.id } }, h('dt', {}, quantityLabel(p)), valueCell(state.readings.get(p.id), p.unit))));
}
