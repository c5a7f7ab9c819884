// A modal sheet for decisions that touch the whole venue (venue scenes): one tap opens it,
// one tap applies. Uses the native <dialog> for focus trapping and Escape.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function openSheet({ title, body, confirmText, onConfirm }) {
  const dialog = h('dialog', { class: 'sheet' });
  const error = h('p', { class: 'sheet-error', role: 'alert' });
  const confirm = h('button', { class: 'primary', type: 'button', dataset: { action: 'confirm' } }, confirmText);
  const cancel = h('button', { type: 'button', dataset: { action: 'cancel' }, onclick: () => dialog.close() }, t('action.cancel'));
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    error.textContent = '';
    try {
      await onConfirm();
      dialog.close();
    } catch (err) {
      error.textContent = err.message || String(err);
    } finally {
      confirm.disabled = false;
    }
  });
  dialog.append(h('h2', {}, title), body, error, h('div', { class: 'sheet-actions' }, cancel, confirm));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

export const HOLD_CHOICES = [0, 30, 60, 120, 240];

export function holdSelect(id) {
  return h('select', { id, name: 'hold' }, HOLD_CHOICES.map((minutes) =>
    h('option', { value: String(minutes) }, minutes === 0 ? t('hold.choice.next') : t('hold.choice.minutes', { n: minutes >= 60 ? `${minutes / 60} ${t('unit.h')}` : `${minutes} ${t('unit.min')}` }))));
}
