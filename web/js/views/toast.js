// Short messages at the bottom of the screen: what just happened, or why it could not.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

let host = null;

export function toast(text, kind = 'ok', ms = 4000) {
  if (!host) {
    host = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(host);
  }
  const el = h('div', { class: `toast ${kind}` }, icon(kind === 'error' ? 'out' : 'ok'), h('div', {}, text));
  host.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? Math.max(ms, 7000) : ms);
}

// A person-readable sentence for a failed request.
export function errorText(error, context = {}) {
  switch (error?.code) {
    case 'network': return t('error.network');
    case 'timeout': return t('error.timeout');
    case 'unauthorized': return t('error.unauthorized');
    case 'forbidden': return error.message ? t('error.forbidden_detail', { message: error.message }) : t('error.forbidden');
    case 'forbidden_origin': return t('error.forbidden_origin');
    case 'conflict':
      if (context.fireAlarm) return t('error.fire_refused');
      return error.message || t('error.conflict');
    case 'locked': return error.message || t('login.locked');
    case 'unavailable': return error.message || t('error.unavailable');
    default: return error?.message || t('error.generic', { status: error?.status ?? '?' });
  }
}
