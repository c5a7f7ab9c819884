// The five senses as a status row: icon + state word + colour, never colour alone.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

export const SENSES = ['SENSE_SIGHT', 'SENSE_HEARING', 'SENSE_SMELL', 'SENSE_TOUCH', 'SENSE_TASTE'];
const SENSE_ICON = { SENSE_SIGHT: 'sight', SENSE_HEARING: 'hearing', SENSE_SMELL: 'smell', SENSE_TOUCH: 'touch', SENSE_TASTE: 'taste' };

// API state names -> our four display statuses (+ "none": the zone has no standard for the sense).
export function statusOf(state) {
  switch ((state ?? '').toLowerCase()) {
    case 'ok': return 'ok';
    case 'drifting': return 'drifting';
    case 'out_of_standard': case 'out': return 'out';
    case 'no_data': case 'nodata': return 'nodata';
    case '': case 'not_applicable': case 'none': return 'none';
    default: return 'nodata';
  }
}

const STATUS_ICON = { ok: 'ok', drifting: 'drifting', out: 'out', nodata: 'nodata', none: 'nodata' };

export function statusIcon(status) { return icon(STATUS_ICON[status] ?? 'nodata'); }

export function senseIcon(sense) { return icon(SENSE_ICON[sense] ?? 'nodata'); }

// `wide`: with the sense's name and the state in words (zone screen); the compact form (zone
// cards) shows icons only and spells out every departure in a line of text below.
export function senseRow(senses, { wide = false } = {}) {
  const bySense = new Map((senses ?? []).map((s) => [s.sense, statusOf(s.state)]));
  const cells = SENSES.map((sense) => {
    const status = bySense.get(sense) ?? 'none';
    const label = `${t(`sense.${sense}`)}: ${t(`status.${status}`)}`;
    return h('div', { class: `sense status-${status === 'none' ? 'nodata' : status}${status === 'none' ? ' none' : ''}`, title: label, dataset: { sense, status } },
      h('span', { class: 'pair', 'aria-hidden': 'true' }, senseIcon(sense), status === 'none' ? null : statusIcon(status)),
      wide ? h('span', { class: 'words', 'aria-hidden': 'true' }, h('span', { class: 'sense-name' }, t(`sense.${sense}`)), h('span', { class: 'state' }, t(status === 'none' ? 'status.short.none' : `status.${status}`)))
           : null,
      h('span', { class: 'sr-only' }, label));
  });
  const row = h('div', { class: `senses${wide ? ' wide' : ''}` }, cells);
  if (wide) return row;
  const departures = SENSES.filter((sense) => ['out', 'drifting', 'nodata'].includes(bySense.get(sense)))
    .map((sense) => ({ sense, status: bySense.get(sense) }))
    .sort((a, b) => ['out', 'drifting', 'nodata'].indexOf(a.status) - ['out', 'drifting', 'nodata'].indexOf(b.status));
  const allSilent = departures.length > 1 && departures.every((d) => d.status === 'nodata');
  const summary = allSilent
    ? [h('span', { class: 'status-nodata' }, t('status.all_nodata'))]
    : departures.length
    ? departures.map(({ sense, status }) => h('span', { class: `status-${status}` }, `${t(`sense.${sense}`)}: ${t(`status.short.${status}`).toLowerCase()}`))
        .flatMap((el, i) => (i ? [' · ', el] : [el]))
    : [h('span', { class: 'status-ok' }, bySense.size ? t('status.all_ok') : t('status.nodata'))];
  return h('div', { class: 'sense-block' }, row, h('div', { class: 'sense-summary', 'aria-hidden': 'true' }, summary));
}
