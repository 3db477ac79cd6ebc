// State shared by the views: the presence service and the signed-in user's own status.

import {session, slack} from './api.js';

const serviceListeners = [];
const meListeners = [];

export const store = {
  service: {enabled: true, reason: '', connections: null, limit: null},
  me: {presence: 'online', manual: 'auto', statusText: '', statusEmoji: '', statusExpiration: 0},

  setService(changes) {
    Object.assign(this.service, changes);
    for (const fn of serviceListeners) fn(this.service);
  },
  onService(fn) {
    serviceListeners.push(fn);
    fn(this.service);
    return () => serviceListeners.splice(serviceListeners.indexOf(fn), 1);
  },

  /** Reads the user's own presence and status again. */
  async refreshMe() {
    try {
      const [presence, profile] = await Promise.all([
        slack('users.getPresence', {user: session.user}),
        slack('users.profile.get', {user: session.user}),
      ]);
      Object.assign(this.me, {
        presence: ownPresence(presence),
        manual: presence.manual_presence ?? 'auto',
        statusText: profile.profile.status_text ?? '',
        statusEmoji: profile.profile.status_emoji ?? '',
        statusExpiration: profile.profile.status_expiration ?? 0,
      });
    } catch {
      return;
    }
    for (const fn of meListeners) fn(this.me);
  },
  onMe(fn) {
    meListeners.push(fn);
    fn(this.me);
  },

  reset() {
    serviceListeners.length = 0;
    meListeners.length = 0;
    this.service = {enabled: true, reason: '', connections: null, limit: null};
  },
};

/** The user's own presence word from users.getPresence (its manual mode first). */
function ownPresence(answer) {
  const manual = {busy: 'busy', invisible: 'offline', away: 'away'}[answer.manual_presence];
  return manual ?? (answer.presence === 'active' ? 'online' : 'away');
}

/** A few common Slack emoji codes and their characters (others show as their code). */
export const emojiChoices = [
  [':calendar:', '📅'], [':palm_tree:', '🌴'], [':hamburger:', '🍔'], [':coffee:', '☕'],
  [':house_with_garden:', '🏡'], [':car:', '🚗'], [':face_with_thermometer:', '🤒'],
  [':headphones:', '🎧'], [':speech_balloon:', '💬'], [':no_entry:', '⛔'], [':zzz:', '💤'],
  [':airplane:', '✈️'], [':spiral_note_pad:', '🗒️'], [':tada:', '🎉'],
];
const emojiByCode = new Map(emojiChoices);

/** The character for an emoji code, or the code itself. */
export function emojiText(code) {
  return emojiByCode.get(code) ?? code ?? '';
}
