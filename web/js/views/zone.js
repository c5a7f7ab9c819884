// One zone: choose a scene (seeing what each will do), hold it, apply; the zone's criteria
// against the standard now, its checklist, and a chart per reading of the last 24 h.
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized } from '../i18n.js';
import { api, num } from '../api.js';
import { clockTime, withUnit, duration } from '../format.js';
import { renderChart } from '../chart.js';
import { state, subscribe, zoneInfo, sceneInfo, pointInfo, setZone, notify } from '../store.js';
import { senseRow, statusOf, statusIcon, senseIcon } from './senses.js';
import { holdText, fadeText, cardPoints, readingTiles } from './zone_card.js';
import { quantityLabel } from './readings.js';
import { holdSelect } from './sheet.js';
import { checklistPanel } from './checklist.js';
import { toast, errorText } from './toast.js';

const DAY_MS = 24 * 3600 * 1000;
const CHART_STEP_MS = 10 * 60 * 1000;

function soundscapeName(id) {
  if (!id) return t('scene.silence');
  const key = `soundscape.${id}`;
  const text = t(key);
  return text === key ? id : text;
}

// What a scene will do, line by line, in the words a receptionist uses.
function sceneDetails(scene) {
  const rows = [];
  const light = scene.light ?? {};
  if (light.level !== undefined) {
    let colour = '';
    if (light.cct) colour = `, ${withUnit(light.cct, 'K')}`;
    else if (light.red !== undefined || light.green !== undefined || light.blue !== undefined) {
      const c = (v) => Math.round(((v ?? 0) / 100) * 255);
      colour = h('span', {}, ', ', h('span', { class: 'swatch', style: `background: rgb(${c(light.red)}, ${c(light.green)}, ${c(light.blue)})` }), ` ${t('scene.colour')}`);
    }
    rows.push([t('scene.light'), h('span', {}, withUnit(light.level, '%'), colour)]);
  }
  const scent = scene.scent;
  if (scent) {
    rows.push([t('scene.scent'), scent.enabled
      ? `${withUnit(scent.intensity ?? 0, '%')}${scent.workS ? ` · ${t('scene.scent_cycle', { work: scent.workS, pause: scent.pauseS ?? 0 })}` : ''}`
      : t('scene.off')]);
  }
  const sound = scene.sound;
  if (sound) {
    const silent = !sound.soundscape;
    rows.push([t('scene.sound'), silent ? t('scene.silence') : `${soundscapeName(sound.soundscape)} · ${withUnit(sound.levelDb, 'dB')}`]);
  }
  const climate = scene.climate;
  if (climate && (climate.setpoint !== undefined || climate.floorSetpoint !== undefined)) {
    const parts = [];
    if (climate.setpoint !== undefined) parts.push(withUnit(climate.setpoint, '°C'));
    if (climate.floorSetpoint !== undefined) parts.push(`${t('scene.floor')} ${withUnit(climate.floorSetpoint, '°C')}`);
    rows.push([t('scene.climate'), parts.join(' · ')]);
  }
  rows.push([t('scene.fade'), duration(num(scene.fadeMs))]);
  return h('ul', {}, rows.map(([k, v]) => h('li', {}, h('span', { class: 'k' }, k), h('span', {}, v))));
}

export function zoneView(zoneId, { goHome }) {
  const zone = zoneInfo(zoneId);
  if (!zone) {
    return { element: h('main', {}, h('p', {}, t('zone.unknown', { zone: zoneId })), h('button', { type: 'button', onclick: goHome }, t('action.back'))), destroy() {} };
  }
  let selected = state.zones.get(zoneId)?.scene ?? null;

  // The back button and the title stay put; only the scene line is renewed on updates.
  const headScene = h('div', { class: 'scene' });
  const head = h('div', { class: 'zone-head' },
    h('button', { type: 'button', class: 'ghost', onclick: goHome, 'aria-label': t('action.back'), dataset: { action: 'back' } }, icon('back')),
    h('h1', {}, localized(zone.name, zone.id)),
    headScene);
  const senses = h('div');
  const live = h('div', { class: 'live' });
  const sceneGrid = h('div', { class: 'scene-grid', role: 'radiogroup', 'aria-label': t('zone.choose_scene') });
  const hold = holdSelect('zone-hold');
  const applyButton = h('button', { class: 'primary', type: 'button', dataset: { action: 'apply' } }, t('action.apply'));
  const applyError = h('p', { class: 'apply-error status-out', role: 'alert' });
  const fireNote = h('p', { class: 'status-out', hidden: true }, t('error.fire_refused'));
  const criteria = h('div', { class: 'criteria' });
  const charts = h('div', { class: 'charts' });
  const checklist = checklistPanel(zoneId);

  function renderHead() {
    const status = state.zones.get(zoneId);
    const scene = sceneInfo(zoneId, status?.scene);
    const holdLabel = holdText(status?.hold);
    const fading = fadeText(status);
    replace(headScene,
      h('span', { class: 'muted' }, t('zone.now')), ' ',
      h('strong', { class: 'current-scene', dataset: { scene: status?.scene ?? '' } }, localized(scene?.name, status?.scene ?? '—')),
      status?.causeWho ? h('span', { class: 'faint' }, ` · ${t('zone.by', { who: status.causeWho === 'schedule' ? t('zone.by_schedule') : status.causeWho })}`) : null,
      holdLabel ? h('span', { class: 'badge hold' }, icon('hold'), holdLabel) : null,
      fading ? h('span', { class: 'badge' }, fading) : null);
    replace(senses, senseRow(status?.senses, { wide: true }));
  }

  function renderLive() {
    replace(live, readingTiles(zone));
  }

  let shownKey = '';
  function renderScenes() {
    const current = state.zones.get(zoneId)?.scene;
    const fire = Boolean(state.status?.fireAlarm || state.zones.get(zoneId)?.fireAlarm);
    applyButton.disabled = !selected || fire;
    fireNote.hidden = !fire;
    // Rebuild the cards only when the selection or the current scene changed: a card replaced
    // between finger-down and finger-up would lose the tap.
    const key = `${selected}|${current}`;
    if (key === shownKey) return;
    shownKey = key;
    replace(sceneGrid, (zone.scenes ?? []).map((option) => {
      const isSelected = option.id === selected;
      return h('button', { type: 'button', role: 'radio', 'aria-checked': isSelected ? 'true' : 'false',
                           class: ['scene-option', isSelected && 'selected'], dataset: { scene: option.id },
                           onclick: () => { selected = option.id; applyError.textContent = ''; renderScenes(); } },
        h('span', { class: 'title' }, h('span', {}, localized(option.name, option.id)),
          option.id === current ? h('span', { class: 'current-mark' }, t('zone.current')) : null),
        sceneDetails(option.scene ?? option));
    }));
  }

  function renderCriteria() {
    const compliance = state.compliance?.zones?.find((z) => z.zone === zoneId);
    const list = compliance?.criteria ?? [];
    const defs = zone.criteria ?? [];
    replace(criteria, defs.map((def) => {
      const now = list.find((c) => c.id === def.id);
      const status = statusOf(now?.state ?? 'no_data');
      const point = pointInfo(`${zoneId}.${def.point}`);
      const unit = point?.unit ?? '';
      const cls = `status-${status === 'none' ? 'nodata' : status}`;
      return h('div', { class: 'criterion', dataset: { criterion: def.id, status } },
        senseIcon(def.sense),
        h('span', { class: 'name' }, localized(def.name, def.id)),
        h('span', { class: 'range' }, `${withUnit(def.range?.min ?? 0, unit)} – ${withUnit(def.range?.max ?? 0, unit)}`),
        h('span', { class: `value ${cls}` }, now?.hasValue ? withUnit(now.lastValue, unit) : '—'),
        h('span', { class: `verdict ${cls}` }, statusIcon(status), h('span', { class: 'state' }, t(`status.${status}`))));
    }));
  }

  async function loadCharts() {
    const defs = zone.criteria ?? [];
    const bandFor = new Map(defs.map((d) => [`${zoneId}.${d.point}`, d]));
    const charted = defs.map((d) => `${zoneId}.${d.point}`);
    const chartedQuantities = new Set(charted.map((id) => pointInfo(id)?.quantity));
    const extra = cardPoints(zone).filter((p) => !chartedQuantities.has(p.quantity)).map((p) => p.id);
    const points = [...new Set([...charted, ...extra])];
    if (!points.length) return;
    const to = Date.now();
    const from = to - DAY_MS;
    replace(charts, h('p', { class: 'muted' }, t('chart.loading')));
    let result;
    try {
      result = await api.readings(points, from, to, CHART_STEP_MS);
    } catch (err) {
      replace(charts, h('p', { class: 'status-out' }, t('chart.failed', { reason: errorText(err) })));
      return;
    }
    const byPoint = new Map((result?.series ?? []).map((series) => [series.point, series]));
    replace(charts, points.map((id) => {
      const point = pointInfo(id);
      const def = bandFor.get(id);
      const unit = point?.unit ?? '';
      const title = def ? localized(def.name, def.id) : quantityLabel(point ?? { id });
      const reading = state.readings.get(id);
      return h('figure', { class: 'chart', dataset: { point: id } },
        h('figcaption', {},
          h('h3', {}, h('span', {}, title), reading ? h('span', { class: 'now-value' }, withUnit(Number(reading.value), unit)) : null),
          h('div', { class: 'muted band-text' }, def ? `${t('chart.band')}: ${withUnit(def.range?.min ?? 0, unit)} – ${withUnit(def.range?.max ?? 0, unit)}` : unit)),
        renderChart(byPoint.get(id), def?.range ? { min: def.range.min ?? 0, max: def.range.max ?? 0 } : null,
                    { fromMs: from, toMs: to, tickLabel: clockTime, emptyText: t('chart.no_data'), title }));
    }));
  }

  applyButton.addEventListener('click', async () => {
    if (!selected) return;
    applyButton.disabled = true;
    applyError.textContent = '';
    const name = localized(sceneInfo(zoneId, selected)?.name, selected);
    try {
      const updated = await api.applyZoneScene(zoneId, selected, Number(hold.value), 'tablet');
      if (updated?.zone) setZone(updated);
      notify('zones', 'readings');
      toast(t('zone.applied', { scene: name, zone: localized(zone.name, zone.id) }));
    } catch (err) {
      applyError.textContent = errorText(err, { fireAlarm: state.status?.fireAlarm || state.zones.get(zoneId)?.fireAlarm });
    } finally {
      renderScenes();
    }
  });

  const root = h('main', { id: 'zone', dataset: { zone: zoneId } },
    h('section', { class: 'panel' }, head, senses, live),
    h('section', { class: 'panel', 'aria-labelledby': 'scene-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'scene-title' }, t('zone.choose_scene')), h('span', { class: 'hint' }, t('zone.choose_hint'))),
      sceneGrid,
      h('div', { class: 'apply-row' }, h('label', { for: 'zone-hold' }, t('hold.label')), hold, h('span', { class: 'spacer' }), applyButton),
      fireNote, applyError),
    (zone.criteria ?? []).length ? h('section', { class: 'panel', 'aria-labelledby': 'criteria-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'criteria-title' }, t('zone.standard'))), criteria) : null,
    checklist.element,
    h('section', { class: 'panel', 'aria-labelledby': 'charts-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'charts-title' }, t('chart.title')), h('span', { class: 'hint' }, t('chart.hint'))), charts));

  renderHead(); renderLive(); renderScenes(); renderCriteria();
  loadCharts();
  const chartTimer = setInterval(loadCharts, 5 * 60 * 1000);
  const unsubscribers = [
    subscribe(['zones', 'status'], () => { renderHead(); renderScenes(); }),
    subscribe(['readings'], renderLive),
    subscribe(['compliance'], renderCriteria),
  ];
  return {
    element: root,
    destroy() { clearInterval(chartTimer); unsubscribers.forEach((u) => u()); checklist.destroy(); },
  };
}
