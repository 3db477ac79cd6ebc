// The People region: every user with presence (text and a coloured dot) and status, live over the
// WebSocket. Only the rows on screen exist in the page, so 2,000 users (or many more) stay cheap;
// the subscription follows the rows around the visible window.

import {ApiError, listUsers} from './api.js';
import {h, replace, debounce} from './dom.js';
import {emojiText, store} from './store.js';

const rowHeight = 52;
const overscan = 8;
// Subscribed around the window: a scroll shows fresh presence at once, and this stays within the
// server's default max_subscription (500).
const subscribeAround = 200;

/** The presence word from a users.list member or a presence_change frame. */
function presenceOf(entry) {
  if (entry.presence_detail) return entry.presence_detail;
  if (entry.presence === 'active') return 'online';
  return entry.presence ?? 'offline';
}

export function renderPeople({view, rtm}) {
  const filter = h('input', {type: 'search', id: 'people-filter', autocomplete: 'off'});
  const count = h('p', {class: 'count', 'aria-live': 'polite'}, 'Loading…');
  const spacer = h('div', {class: 'spacer', role: 'list', 'aria-label': 'Users'});
  const scroller = h('div', {class: 'people-scroll', tabindex: '0'}, spacer);
  const region = h('section', {class: 'people', 'aria-labelledby': 'people-heading'},
    h('h1', {id: 'people-heading'}, 'People'),
    h('div', {class: 'field inline'}, h('label', {for: 'people-filter'}, 'Filter by name'), filter),
    count, scroller);
  replace(view, region);

  let all = [];          // every user, sorted by name
  let shown = [];        // those matching the filter
  const byId = new Map();
  const rows = new Map(); // index -> row element
  let disposed = false;
  let serviceEnabled = store.service.enabled;

  function rowFor(user) {
    // An always-active bot shows a green dot whatever its Slack presence (api/README.md, Bots).
    const presence = !serviceEnabled ? 'disabled' : user.alwaysActive ? 'online' : user.presence;
    return h('div', {role: 'listitem', class: 'person', 'data-user': user.id},
      h('span', {class: `dot ${presence}`, 'aria-hidden': 'true'}),
      h('span', {class: 'name'}, user.name),
      h('span', {class: 'presence'}, presence),
      h('span', {class: 'status'},
        user.statusEmoji ? h('span', {class: 'emoji', title: user.statusEmoji}, emojiText(user.statusEmoji)) : null,
        user.statusText ? ` ${user.statusText}` : ''));
  }

  function paint(force = false) {
    if (disposed) return;
    const height = scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - overscan);
    const last = Math.min(shown.length, Math.ceil((scroller.scrollTop + height) / rowHeight) + overscan);
    for (const [index, row] of rows) {
      if (force || index < first || index >= last) {
        row.remove();
        rows.delete(index);
      }
    }
    for (let i = first; i < last; i += 1) {
      if (rows.has(i)) continue;
      const row = rowFor(shown[i]);
      row.style.transform = `translateY(${i * rowHeight}px)`;
      row.setAttribute('aria-setsize', String(shown.length));
      row.setAttribute('aria-posinset', String(i + 1));
      spacer.append(row);
      rows.set(i, row);
    }
    resubscribe(first, last);
  }

  const resubscribe = debounce((first, last) => {
    const from = Math.max(0, first - subscribeAround);
    const to = Math.min(shown.length, last + subscribeAround);
    rtm?.subscribe(shown.slice(from, to).map((u) => u.id));
  }, 150);

  function applyFilter() {
    const needle = filter.value.trim().toLowerCase();
    shown = needle ? all.filter((u) => u.name.toLowerCase().includes(needle) || u.id.toLowerCase().includes(needle)) : all;
    spacer.style.height = `${shown.length * rowHeight}px`;
    count.textContent = `${shown.length} ${shown.length === 1 ? 'person' : 'people'}`;
    scroller.scrollTop = 0;
    paint(true);
  }

  /** Repaints the row of `id` if it is on screen. */
  function update(id) {
    for (const [index, row] of rows) {
      if (shown[index]?.id === id) {
        const fresh = rowFor(shown[index]);
        fresh.style.transform = row.style.transform;
        fresh.setAttribute('aria-setsize', row.getAttribute('aria-setsize'));
        fresh.setAttribute('aria-posinset', row.getAttribute('aria-posinset'));
        row.replaceWith(fresh);
        rows.set(index, fresh);
      }
    }
  }

  const onPresence = (frame) => {
    if (disposed) return;
    const ids = frame.users ?? (frame.user ? [frame.user] : []);
    const presence = presenceOf(frame);
    for (const id of ids) {
      const user = byId.get(id);
      if (!user) continue;
      user.presence = presence;
      update(id);
    }
  };
  const onStatus = (frame) => {
    if (disposed) return;
    const user = byId.get(frame.user?.id);
    if (!user) return;
    user.statusText = frame.user.profile?.status_text ?? '';
    user.statusEmoji = frame.user.profile?.status_emoji ?? '';
    if (frame.type === 'user_change') user.alwaysActive = frame.user.profile?.always_active === true;
    update(user.id);
  };
  rtm?.on('presence_change', onPresence);
  rtm?.on('user_status_changed', onStatus);
  rtm?.on('user_change', onStatus);
  const stopService = store.onService((service) => {
    if (service.enabled === serviceEnabled) return;
    serviceEnabled = service.enabled;
    paint(true);
  });

  scroller.addEventListener('scroll', () => requestAnimationFrame(() => paint()), {passive: true});
  filter.addEventListener('input', debounce(applyFilter, 100));
  window.addEventListener('resize', onResize);
  function onResize() { paint(); }

  listUsers().then((members) => {
    if (disposed) return;
    all = members.filter((m) => !m.deleted).map((m) => ({
      id: m.id, name: m.name || m.id, presence: presenceOf(m),
      statusText: m.profile?.status_text ?? '', statusEmoji: m.profile?.status_emoji ?? '',
      alwaysActive: m.profile?.always_active === true,
    }));
    all.sort((a, b) => a.name.localeCompare(b.name));
    for (const user of all) byId.set(user.id, user);
    applyFilter();
  }, (error) => {
    count.textContent = `Could not list users: ${error instanceof ApiError ? error.code : error.message}`;
  });

  return () => {
    disposed = true;
    stopService();
    window.removeEventListener('resize', onResize);
    rtm?.off?.('presence_change', onPresence);
    rtm?.off?.('user_status_changed', onStatus);
    rtm?.off?.('user_change', onStatus);
  };
}
