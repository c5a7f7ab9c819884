// Checklist items staff confirm by hand (taste, some touch): what, where, who confirmed it when.
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized } from '../i18n.js';
import { api, num } from '../api.js';
import { clockTime } from '../format.js';
import { state, subscribe, zoneInfo, setChecklistItem, notify } from '../store.js';
import { statusOf, senseIcon, statusIcon } from './senses.js';
import { toast, errorText } from './toast.js';

function confirmButton(item) {
  const button = h('button', { type: 'button', dataset: { action: 'confirm', zone: item.zone, item: item.id } }, icon('check'), t('checklist.confirm'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const updated = await api.confirm(item.zone, item.id);
      setChecklistItem(updated ?? { ...item, state: 'ok', confirmedMs: String(Date.now()), confirmedBy: state.session?.user?.username ?? '' });
      notify('checklist');
      toast(t('checklist.confirmed', { item: localized(item.name, item.id) }));
    } catch (err) {
      toast(errorText(err), 'error');
      button.disabled = false;
    }
  });
  return button;
}

function itemRow(item, showZone) {
  const status = statusOf(item.state);
  const confirmed = num(item.confirmedMs);
  const who = confirmed
    ? t('checklist.by', { who: item.confirmedBy, time: clockTime(confirmed) })
    : t('checklist.not_yet');
  const due = num(item.dueMs);
  let dueText = '';
  if (due && status === 'ok') dueText = t(confirmed ? 'checklist.next_at' : 'checklist.due_at', { time: clockTime(due) });
  else if (due && status !== 'none') dueText = due > Date.now() ? t('checklist.due_at', { time: clockTime(due) }) : t('checklist.due_now');
  const cls = `status-${status === 'none' ? 'nodata' : status}`;
  return h('div', { class: ['check-item', (status === 'out' || status === 'drifting') && 'due'], dataset: { zone: item.zone, item: item.id, state: status } },
    h('span', { class: `marks ${cls}`, title: t(`status.${status}`) }, senseIcon(item.sense), statusIcon(status)),
    h('div', { class: 'text' },
      h('div', {}, localized(item.name, item.id)),
      h('div', { class: 'who' }, [showZone ? localized(zoneInfo(item.zone)?.name, item.zone) : null, who, dueText].filter(Boolean).join(' · ')),
      h('span', { class: 'sr-only' }, t(`status.${status}`))),
    status === 'none' ? h('span', { class: 'faint' }, t('checklist.not_now')) : confirmButton(item));
}

export function checklistPanel(zoneId = null) {
  const el = h('section', { class: 'panel', 'aria-labelledby': `checklist-title${zoneId ? '-zone' : ''}` });
  function render() {
    // On the journey, only what applies now; a zone's screen lists the rest, dimmed.
    const items = state.checklist.filter((c) => (zoneId ? c.zone === zoneId : statusOf(c.state) !== 'none'));
    const order = (state.venue?.zones ?? []).map((z) => z.id);
    items.sort((a, b) => order.indexOf(a.zone) - order.indexOf(b.zone));
    replace(el,
      h('div', { class: 'section-head' }, h('h2', { id: `checklist-title${zoneId ? '-zone' : ''}` }, t('checklist.title'))),
      items.length ? h('div', { class: 'checklist' }, items.map((item) => itemRow(item, !zoneId)))
                   : h('p', { class: 'muted' }, t('checklist.empty')));
    el.hidden = zoneId !== null && items.length === 0;
  }
  render();
  const unsubscribe = subscribe(['checklist', 'venue', 'language'], render);
  return { element: el, destroy: unsubscribe };
}

