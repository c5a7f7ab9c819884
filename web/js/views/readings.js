// One live value with its unit, and a clear mark when it is stale, bad or offline.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { withUnit, ago } from '../format.js';

export function qualityOf(reading) {
  switch (reading?.quality) {
    case 'QUALITY_GOOD': return 'good';
    case 'QUALITY_STALE': return 'stale';
    case 'QUALITY_BAD': return 'bad';
    case 'QUALITY_OFFLINE': return 'offline';
    default: return reading ? 'good' : 'none';
  }
}

export function quantityLabel(point) {
  const key = `q.${point?.quantity ?? 'QUANTITY_OTHER'}`;
  const text = t(key);
  return text === key ? (point?.id?.split('.').slice(1).join(' ') ?? '') : text;
}

export function valueCell(reading, unit) {
  const quality = qualityOf(reading);
  if (quality === 'none') return h('dd', { class: 'value-none', title: t('reading.none') }, '—');
  const text = withUnit(Number(reading.value), reading.unit || unit || '');
  const when = ago(Number(reading.timeMs));
  if (quality === 'good') return h('dd', { title: when }, text);
  const why = t(`reading.${quality}`) + (reading.error ? ` — ${reading.error}` : '') + ` (${when})`;
  return h('dd', { class: `value-${quality}`, title: why, dataset: { quality } },
    icon(quality === 'offline' ? 'offline' : quality === 'stale' ? 'stale' : 'out'),
    h('span', {}, text), h('span', { class: 'sr-only' }, why));
}
