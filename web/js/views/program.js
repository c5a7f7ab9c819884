// Today's program (and tomorrow's) as a timeline of venue scenes, with the current time and the
// next change spelled out: "next: Evening at 18:00".
import { h, replace } from '../dom.js';
import { icon } from '../icons.js';
import { t, localized } from '../i18n.js';
import { num } from '../api.js';
import { localMinutes, parseHhMm, longDate, localDate } from '../format.js';
import { state, subscribe } from '../store.js';

const KNOWN_COLOURS = ['opening', 'day', 'evening', 'closed', 'cleaning'];

function venueSceneName(id) {
  return localized(state.venue?.venueScenes?.find((s) => s.id === id)?.name, id);
}

// changes: [{localTime "HH:MM", venueScene}] of one day; `carry`: the scene running at midnight.
function timeline(changes, carry, nowMinutes) {
  const steps = changes.map((c) => ({ at: parseHhMm(c.localTime), scene: c.venueScene })).sort((a, b) => a.at - b.at);
  if (!steps.length || steps[0].at > 0) steps.unshift({ at: 0, scene: carry ?? steps[steps.length - 1]?.scene ?? '', carried: true });
  const pct = (m) => `${(m / 1440) * 100}%`;
  const track = h('div', { class: 'track' }, steps.map((step, i) => {
    const end = steps[i + 1]?.at ?? 1440;
    const past = nowMinutes !== null && end <= nowMinutes;
    return h('div', { class: ['seg', `scene-color-${KNOWN_COLOURS.includes(step.scene) ? step.scene : 'other'}`, past && 'past'],
                      style: `left:${pct(step.at)};width:${pct(end - step.at)}`, title: `${venueSceneName(step.scene)}` });
  }));
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const nextAt = nowMinutes === null ? -1 : (steps.find((s) => !s.carried && s.at > nowMinutes)?.at ?? -1);
  const chips = h('ol', { class: 'steps' }, steps.filter((s) => !s.carried).map((s) => {
    const past = nowMinutes !== null && s.at <= nowMinutes;
    return h('li', { class: ['step', past && 'past', s.at === nextAt && 'next'], dataset: { scene: s.scene } },
      h('span', { class: `dot scene-color-${KNOWN_COLOURS.includes(s.scene) ? s.scene : 'other'}` }),
      h('span', { class: 'at' }, hhmm(s.at)), ' ', venueSceneName(s.scene));
  }));
  const ticks = [0, 6, 12, 18, 24].map((hour) =>
    h('span', { class: 'tick', style: `left:${pct(hour * 60)}` }, `${String(hour).padStart(2, '0')}:00`));
  const now = nowMinutes === null ? null : h('div', { class: 'now', style: `left:${pct(nowMinutes)}`, title: t('program.now') });
  return h('div', {}, h('div', { class: 'timeline', 'aria-hidden': 'true' }, track, ticks, now), chips);
}

export function programPanel() {
  const el = h('section', { class: 'panel program', 'aria-labelledby': 'program-title' });
  function render() {
    const schedule = state.schedule;
    const title = h('div', { class: 'section-head' }, h('h2', { id: 'program-title' }, t('program.title')));
    if (!schedule) { replace(el, title, h('p', { class: 'muted' }, t('program.loading'))); return; }
    const now = Date.now();
    const today = schedule.today || localDate(now);
    const upcoming = schedule.upcoming ?? [];
    const next = upcoming.find((c) => num(c.atMs) > now) ?? null;
    const todayChanges = schedule.todayChanges ?? upcoming.filter((c) => c.date === today);
    const tomorrowChanges = upcoming.filter((c) => c.date && c.date > today);
    const tomorrowDate = tomorrowChanges[0]?.date ?? schedule.tomorrowProgram?.date;
    const lastToday = todayChanges.length ? todayChanges[todayChanges.length - 1].venueScene : schedule.dayPart;
    // Program ids are config names ("weekday"); only an exception's reason is worth reading.
    const programName = (p) => (p?.exception ? `${t('program.exception')}: ${p.reason || p.program}` : '');
    replace(el, title,
      h('p', { class: 'next-change', dataset: { next: next?.venueScene ?? '' } }, icon('clock'),
        next ? h('span', {}, `${t('program.next_prefix')} `, h('strong', {}, venueSceneName(next.venueScene)),
                  ` ${t('program.at', { time: next.localTime })}`)
             : h('span', {}, t('program.no_next'))),
      h('div', { class: 'program-days' },
        h('div', { class: 'program-day', dataset: { day: 'today' } },
          h('h3', {}, h('span', {}, `${t('program.today')} · ${longDate(now)}`), h('span', { class: 'faint' }, programName(schedule.todayProgram))),
          timeline(todayChanges, null, localMinutes(now))),
        tomorrowDate ? h('div', { class: 'program-day', dataset: { day: 'tomorrow' } },
          h('h3', {}, h('span', {}, t('program.tomorrow')), h('span', { class: 'faint' }, programName(schedule.tomorrowProgram))),
          timeline(tomorrowChanges, lastToday, null)) : null));
  }
  render();
  const timer = setInterval(render, 60000);
  const unsubscribe = subscribe(['schedule', 'venue', 'language'], render);
  return { element: el, destroy() { clearInterval(timer); unsubscribe(); } };
}
