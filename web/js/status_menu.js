// "My status": the menu every user has (Online, Away, Busy, Offline, each custom status, then
// "Custom status…"), the custom status dialog and the Preferences dialog.

import {ApiError, listCustomStatuses, rest, session, slack} from './api.js';
import {h, field, replace, setFieldError} from './dom.js';
import {emojiChoices, emojiText, store} from './store.js';

const presets = [
  ['Online', 'auto'], ['Away', 'away'], ['Busy', 'busy'], ['Offline', 'invisible'],
];
// Rocket.Chat status words for a custom status's presence.
const restStatus = {online: 'online', away: 'away', busy: 'busy', offline: 'offline'};

let installed = false;

export function setupStatusMenu() {
  const button = document.getElementById('my-status');
  const menu = document.getElementById('status-menu');
  const dot = button.querySelector('.dot');
  const label = button.querySelector('.status-label');
  const show = () => {
    const me = store.me;
    const presence = store.service.enabled ? me.presence : 'disabled';
    dot.className = `dot ${presence}`;
    const text = me.statusText ? ` · ${emojiText(me.statusEmoji)} ${me.statusText}` : ` · ${presence}`;
    label.textContent = 'My status';
    button.title = `${session.name}${text}`;
  };
  store.onMe(show);
  store.onService(show);
  if (installed) return;
  installed = true;

  const items = () => [...menu.querySelectorAll('[role="menuitem"]')];
  const close = (focusButton = true) => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton) button.focus();
  };
  const open = async (focusLast = false) => {
    let custom = [];
    try {
      custom = await listCustomStatuses();
    } catch {
      // The four presences still work.
    }
    const entries = [
      ...presets.map(([name, mode]) => ({name, run: () => slack('users.setPresence', {presence: mode}), dot: mode})),
      ...custom.map((s) => ({
        name: s.name, dot: s.presence,
        run: () => rest('POST', 'users.setStatus', {status: restStatus[s.presence] ?? 'online', message: s.name}),
      })),
      {name: 'Custom status…', run: () => openCustomStatus(), separator: true},
    ];
    replace(menu, entries.map((entry) => h('li', {role: 'none', class: entry.separator ? 'separator' : ''},
      h('button', {
        type: 'button', role: 'menuitem', tabindex: '-1',
        onclick: async () => {
          close();
          try {
            await entry.run();
          } finally {
            store.refreshMe();
          }
        },
      }, entry.dot ? h('span', {class: `dot ${dotClass(entry.dot)}`, 'aria-hidden': 'true'}) : null, entry.name))));
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    const list = items();
    list[focusLast ? list.length - 1 : 0]?.focus();
  };

  button.addEventListener('click', () => (menu.hidden ? open() : close()));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowUp');
    }
  });
  menu.addEventListener('keydown', (event) => {
    const list = items();
    const index = list.indexOf(document.activeElement);
    const move = {ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1}[event.key];
    if (move !== undefined) {
      event.preventDefault();
      list[(move + list.length) % list.length].focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      close(false);
    }
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !menu.contains(event.target) && !button.contains(event.target)) close(false);
  });
  document.getElementById('preferences-button').addEventListener('click', openPreferences);
}

function dotClass(mode) {
  return {auto: 'online', invisible: 'offline'}[mode] ?? mode;
}

/** A modal dialog with a heading, removed from the page when closed. */
function dialog(title, ...content) {
  const el = h('dialog', {class: 'card', 'aria-label': title}, h('h2', {}, title), ...content);
  el.addEventListener('close', () => el.remove());
  document.body.append(el);
  el.showModal();
  return el;
}

/** Unix seconds for a "clear after" choice, 0 = never. */
function expiration(choice, date) {
  const now = Date.now();
  if (choice === '30m') return Math.floor(now / 1000) + 30 * 60;
  if (choice === '1h') return Math.floor(now / 1000) + 3600;
  if (choice === 'today') {
    const end = new Date();
    end.setHours(23, 59, 59, 0);
    return Math.floor(end.getTime() / 1000);
  }
  if (choice === 'date' && date) return Math.floor(new Date(`${date}T23:59:59`).getTime() / 1000);
  return 0;
}

function openCustomStatus() {
  const me = store.me;
  const text = field('Status text', h('input', {type: 'text', maxlength: '100', value: me.statusText}));
  const emoji = field('Emoji', h('select', {},
    h('option', {value: ''}, 'None'),
    emojiChoices.map(([code, char]) => h('option', {value: code, selected: code === me.statusEmoji}, `${char} ${code}`))));
  const clear = field('Clear after', h('select', {},
    h('option', {value: 'never'}, 'Never'), h('option', {value: '30m'}, '30 minutes'),
    h('option', {value: '1h'}, '1 hour'), h('option', {value: 'today'}, 'Today'),
    h('option', {value: 'date'}, 'Choose a date')));
  const date = field('Date', h('input', {type: 'date'}));
  date.wrap.hidden = true;
  clear.input.addEventListener('change', () => { date.wrap.hidden = clear.input.value !== 'date'; });
  const formError = h('p', {class: 'form-error', role: 'status'});
  const form = h('form', {method: 'dialog'}, text.wrap, emoji.wrap, clear.wrap, date.wrap, formError,
    h('div', {class: 'actions'},
      h('button', {type: 'button', value: 'cancel', onclick: () => box.close()}, 'Cancel'),
      h('button', {type: 'button', onclick: () => save('', '')}, 'Clear status'),
      h('button', {type: 'submit', class: 'primary'}, 'Save')));
  const box = dialog('Custom status', form);
  async function save(statusText, statusEmoji) {
    setFieldError(text, '');
    try {
      await slack('users.profile.set', {profile: {
        status_text: statusText, status_emoji: statusEmoji,
        status_expiration: statusText || statusEmoji ? expiration(clear.input.value, date.input.value) : 0,
      }});
      box.close();
      store.refreshMe();
    } catch (error) {
      if (error instanceof ApiError && ['invalid_profile', 'too_long', 'expiration_in_past'].includes(error.code))
        setFieldError(error.code === 'expiration_in_past' ? clear : text, error.detail || error.code);
      else formError.textContent = `Not saved: ${error.code ?? error.message}`;
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save(text.input.value.trim(), emoji.input.value);
  });
  text.input.focus();
}

/** Auto-away and the idle time limit (users.prefs.get / users.prefs.set, 30 s … 7 days). */
async function openPreferences() {
  const autoAway = h('input', {type: 'checkbox', id: 'pref-auto-away'});
  // The server checks the range and says why it refuses: no browser-side validation.
  const idle = field('Idle time limit (seconds)', h('input', {type: 'number', min: '30', max: '604800', step: '1'}));
  const hint = h('p', {class: 'hint', id: 'pref-idle-hint'});
  idle.input.setAttribute('aria-describedby', `${idle.error.id} pref-idle-hint`);
  idle.wrap.append(hint);
  const note = h('p', {class: 'form-error', role: 'status'});
  const form = h('form', {novalidate: true},
    h('div', {class: 'field checkbox'}, autoAway, h('label', {for: 'pref-auto-away'}, 'Away when idle (auto-away)')),
    idle.wrap, note,
    h('div', {class: 'actions'}, h('button', {type: 'button', onclick: () => box.close()}, 'Close'),
      h('button', {type: 'submit', class: 'primary'}, 'Save')));
  const box = dialog('Preferences', form);
  const show = (prefs) => {
    autoAway.checked = prefs.auto_away !== false;
    idle.input.value = prefs.idle_timeout ? String(prefs.idle_timeout) : '';
    hint.textContent = `30 to 604800 (7 days); empty for the workspace's limit. In force: ${prefs.idle_timeout_in_force} s.`;
  };
  try {
    show((await slack('users.prefs.get')).prefs);
  } catch (error) {
    note.textContent = `Could not read preferences: ${error.code ?? error.message}`;
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setFieldError(idle, '');
    note.className = 'form-error';
    note.textContent = '';
    const text = idle.input.value.trim();
    try {
      // 0 returns to the workspace's limit; anything else goes as typed for the server to judge.
      const answer = await slack('users.prefs.set', {auto_away: autoAway.checked, idle_timeout: text ? Number(text) : 0});
      show(answer.prefs);
      note.className = 'saved';
      note.textContent = 'Saved.';
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_arguments')
        setFieldError(idle, error.detail || error.code);
      else note.textContent = `Not saved: ${error.code ?? error.message}`;
    }
  });
}
