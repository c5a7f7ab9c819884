// The UI's copy of the venue's state: loaded over REST, kept current by WebSocket messages.
// Views subscribe to topics and re-render at most once per animation frame, so a burst of
// readings never freezes the page.
import { api, num } from './api.js';

export const state = {
  session: null,        // Session: {user: {username, displayName, role, zones}, permissions}
  venue: null,          // VenueInfo
  zones: new Map(),     // zone id -> ZoneStatus (readings kept separately)
  readings: new Map(),  // full point id -> LiveReading
  status: null,         // StatusView
  alarms: [],           // AlarmView[]
  checklist: [],        // ChecklistView[]
  compliance: null,     // ComplianceNow
  schedule: null,       // ScheduleView
  connection: 'closed', // WebSocket state
  loadError: null,      // ApiError of the last failed full load
};

const subscribers = new Map();   // topic -> Set<fn>
const pending = new Set();
let frame = 0;

export function subscribe(topics, fn) {
  for (const topic of topics) {
    if (!subscribers.has(topic)) subscribers.set(topic, new Set());
    subscribers.get(topic).add(fn);
  }
  return () => { for (const topic of topics) subscribers.get(topic)?.delete(fn); };
}

export function notify(...topics) {
  for (const topic of topics) for (const fn of subscribers.get(topic) ?? []) pending.add(fn);
  if (!frame) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      const fns = [...pending];
      pending.clear();
      for (const fn of fns) {
        try { fn(); } catch (err) { console.error('view update failed', err); }
      }
    });
  }
}

export function zoneInfo(zoneId) { return state.venue?.zones?.find((z) => z.id === zoneId) ?? null; }

export function sceneInfo(zoneId, sceneId) {
  return zoneInfo(zoneId)?.scenes?.find((s) => s.id === sceneId) ?? null;
}

export function pointInfo(pointId) {
  const zoneId = pointId.split('.')[0];
  return zoneInfo(zoneId)?.points?.find((p) => p.id === pointId) ?? null;
}

function setZone(zone) {
  const previous = state.zones.get(zone.zone);
  // `zone` messages on the socket come without readings; keep the ones we have.
  const { readings, ...rest } = zone;
  state.zones.set(zone.zone, { ...previous, ...rest });
  for (const reading of readings ?? []) state.readings.set(reading.point, reading);
}

function setAlarm(alarm) {
  const others = state.alarms.filter((a) => a.id !== alarm.id);
  state.alarms = alarm.cleared ? others : [...others, alarm].sort((a, b) => num(a.sinceMs) - num(b.sinceMs));
}

function setChecklistItem(item) {
  const index = state.checklist.findIndex((c) => c.zone === item.zone && c.id === item.id);
  if (index >= 0) state.checklist[index] = item; else state.checklist.push(item);
}

// Reads everything the home screen needs. Parts load independently: one failing endpoint leaves
// the others usable.
export async function loadAll() {
  const parts = await Promise.allSettled([
    state.venue ? Promise.resolve(state.venue) : api.venue(),
    api.zones(), api.status(), api.alarms(), api.checklist(), api.schedule(2), api.compliance(),
  ]);
  const [venue, zones, status, alarms, checklist, schedule, compliance] = parts;
  if (venue.status === 'fulfilled') state.venue = venue.value;
  if (zones.status === 'fulfilled') for (const z of zones.value?.zones ?? []) setZone(z);
  if (status.status === 'fulfilled') state.status = status.value;
  if (alarms.status === 'fulfilled') state.alarms = alarms.value?.alarms ?? [];
  if (checklist.status === 'fulfilled') state.checklist = checklist.value?.items ?? [];
  if (schedule.status === 'fulfilled') state.schedule = schedule.value;
  if (compliance.status === 'fulfilled') state.compliance = compliance.value;
  const failed = parts.find((p) => p.status === 'rejected');
  state.loadError = failed ? failed.reason : null;
  notify('venue', 'zones', 'readings', 'status', 'alarms', 'checklist', 'schedule', 'compliance', 'load');
  if (venue.status === 'rejected') throw venue.reason;
}

export async function refreshSchedule() {
  try { state.schedule = await api.schedule(2); notify('schedule'); } catch { /* shown as stale */ }
}

export async function refreshCompliance() {
  try { state.compliance = await api.compliance(); notify('compliance'); } catch { /* keep the last */ }
}

export async function refreshChecklist() {
  try { state.checklist = (await api.checklist())?.items ?? []; notify('checklist'); } catch { /* keep */ }
}

// One WebSocket message (WsMessage).
export function applyMessage(message) {
  switch (message.type) {
    case 'hello':
      if (message.status) { state.status = message.status; notify('status'); }
      break;
    case 'status': {
      const before = state.status;
      state.status = message.status;
      notify('status');
      if (before && before.dayPart !== message.status?.dayPart) refreshSchedule();
      break;
    }
    case 'zone':
      if (message.zone?.zone) { setZone(message.zone); notify('zones'); refreshCompliance(); }
      break;
    case 'readings':
      for (const reading of message.readings?.readings ?? []) state.readings.set(reading.point, reading);
      notify('readings');
      break;
    case 'alarm':
      if (message.alarm?.id) { setAlarm(message.alarm); notify('alarms'); }
      break;
    case 'event': {
      const kind = message.event?.kind ?? '';
      if (kind.startsWith('checklist')) refreshChecklist();
      if (kind.startsWith('schedule') || kind.startsWith('program')) refreshSchedule();
      state.lastEvent = message.event;
      notify('event');
      break;
    }
    default:
      break;
  }
}

export { setChecklistItem, setAlarm, setZone };
