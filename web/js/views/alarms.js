// The fire alarm as a full-width red banner; compliance and device alarms as a list with
// acknowledge. Acknowledging records who saw it; only the cause going away clears an alarm.
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized } from '../i18n.js';
import { api, num } from '../api.js';
import { clockTime, ago } from '../format.js';
import { state, subscribe, zoneInfo, setAlarm, notify } from '../store.js';
import { toast, errorText } from './toast.js';

export function fireBanner() {
  const el = h('div', { class: 'fire-banner', role: 'alert', hidden: true });
  function render() {
    const fire = state.status?.fireAlarm || state.alarms.some((a) => a.kind === 'fire');
    el.hidden = !fire;
    if (!fire) return;
    const alarm = state.alarms.find((a) => a.kind === 'fire');
    replace(el, icon('fire'), h('div', {},
      h('div', {}, t('fire.title')),
      h('div', { class: 'detail' }, t('fire.detail') + (alarm ? ` · ${t('alarm.since', { time: clockTime(num(alarm.sinceMs)) })}` : ''))),
      alarm && !alarm.acknowledged ? ackButton(alarm, 'fire-ack') : null);
  }
  render();
  const unsubscribe = subscribe(['status', 'alarms', 'language'], render);
  return { element: el, destroy: unsubscribe };
}

function ackButton(alarm, extraClass) {
  const button = h('button', { type: 'button', class: extraClass ?? '', dataset: { action: 'ack', alarm: alarm.id } }, icon('check'), t('alarm.ack'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const updated = await api.ack(alarm.id, '');
      setAlarm(updated ?? { ...alarm, acknowledged: true });
      notify('alarms');
    } catch (err) {
      toast(errorText(err), 'error');
      button.disabled = false;
    }
  });
  return button;
}

// The alarm in the tablet's language, from the venue's localized names; the server's English
// message when the alarm is of a kind we do not know.
export function alarmText(alarm) {
  const zone = zoneInfo(alarm.zone);
  const zoneName = localized(zone?.name, alarm.zone);
  switch (alarm.kind) {
    case 'criterion': {
      const criterion = zone?.criteria?.find((c) => c.id === alarm.subject);
      if (criterion) return `${zoneName}: ${localized(criterion.name, criterion.id)} — ${t('alarm.out')}`;
      break;
    }
    case 'checklist': {
      const item = zone?.checklist?.find((c) => c.id === alarm.subject);
      if (item) return `${zoneName}: ${localized(item.name, item.id)} — ${t('alarm.not_confirmed')}`;
      break;
    }
    case 'device': {
      const device = alarm.subject.startsWith(`${alarm.zone}.`) ? alarm.subject.slice(alarm.zone.length + 1) : alarm.subject;
      return `${zoneName}: ${t('alarm.device', { device })}`;
    }
    case 'fire':
      return t('fire.title');
    default:
      break;
  }
  return alarm.message || `${zoneName}: ${alarm.subject}`;
}

// Unacknowledged first, then in journey order. A venue whose bus is down raises an alarm per
// device: the list shows the first few and folds the rest behind one button, so the journey
// stays on screen.
const FOLDED = 3;

export function alarmList() {
  const el = h('section', { class: 'alarms', 'aria-label': t('alarm.list') });
  let expanded = false;
  function render() {
    const order = (state.venue?.zones ?? []).map((z) => z.id);
    const alarms = state.alarms.filter((a) => a.kind !== 'fire').sort((a, b) =>
      Number(a.acknowledged) - Number(b.acknowledged) || order.indexOf(a.zone) - order.indexOf(b.zone) || num(a.sinceMs) - num(b.sinceMs));
    el.hidden = alarms.length === 0;
    const shown = expanded || alarms.length <= FOLDED + 1 ? alarms : alarms.slice(0, FOLDED);
    const rest = alarms.length - shown.length;
    replace(el, shown.map((alarm) => {
      const by = alarm.acknowledged ? t('alarm.acked_by', { who: alarm.ackedBy, time: clockTime(num(alarm.ackedMs)) }) : '';
      return h('div', { class: ['alarm', alarm.acknowledged && 'acked'], dataset: { alarm: alarm.id } },
        icon(alarm.acknowledged ? 'bell' : 'out'),
        h('div', { class: 'text' },
          h('div', { title: alarm.message }, alarmText(alarm)),
          h('div', { class: 'when' }, [t('alarm.since', { time: clockTime(num(alarm.sinceMs)) }), ago(num(alarm.sinceMs)), by].filter(Boolean).join(' · '))),
        alarm.acknowledged ? null : ackButton(alarm));
    }),
    rest > 0 || expanded && alarms.length > FOLDED + 1
      ? h('button', { type: 'button', class: 'ghost more', dataset: { action: 'more-alarms' }, onclick: () => { expanded = !expanded; render(); } },
          expanded ? t('alarm.fewer') : t('alarm.more', { n: rest }))
      : null);
  }
  render();
  const unsubscribe = subscribe(['alarms', 'venue', 'language'], render);
  return { element: el, destroy: unsubscribe };
}
