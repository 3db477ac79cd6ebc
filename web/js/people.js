// The People region: every user with presence (text and a coloured dot) and status, live over the
// WebSocket. Only the rows on screen exist in the page, so 2,000 users (or many more) stay cheap;
// the subscription follows the rows around the visible window. Every frame updates the user's
// data (the model), on screen or not; rows that were out of the subscription missed its frames,
// so when they come into view the list is read again.

import {ApiError, listUsers} from './api.js';
import {h, replace, debounce} from './dom.js';
import {emojiText, store} from './store.js';

const rowHeight = 52;
const overscan = 8;
// Subscribed around the window: a scroll shows fresh presence at once, and this stays within the
// server's default max_subscription (500).
const subscribeAround = 200;
// A re-read of the list for rows that come into view after missing frames: at most this often.
const refreshEvery = 3000;

/** The presence word from a users.list member or a presence_change frame. */
function presenceOf(entry) {
  if (entry.presence_detail) return entry.presence_detail;
  if (entry.presence === 'active') return 'online';
  return entry.presence ?? 'offline';
}

/** A row's data from a users.list member. */
function fromMember(m) {
  return {
    id: m.id, name: m.name || m.id, presence: presenceOf(m),
    statusText: m.profile?.status_text ?? '', statusEmoji: m.profile?.status_emoji ?? '',
    alwaysActive: m.profile?.always_active === true,
  };
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
  let listReadAt = 0;          // when the last read of the list started
  let firstWindow = false;     // the next subscription is the first after the list was read
  const joined = new Map();    // id -> when it joined the subscription, while in it
  let refreshing = false;
  let refreshTimer = null;
  let lastRefresh = 0;

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
    // A window of the same size near the ends of the list: a short list is followed whole.
    const size = last - first + 2 * subscribeAround;
    const to = Math.min(shown.length, Math.max(0, first - subscribeAround) + size);
    const from = Math.max(0, to - size);
    const ids = shown.slice(from, to).map((u) => u.id);
    rtm?.subscribe(ids);
    // The rows of the first window count as followed since the first read (what every client
    // does: list, then subscribe); rows that join later may have missed changes.
    const now = firstWindow ? listReadAt : Date.now();
    firstWindow = false;
    const kept = new Set(ids);
    for (const id of joined.keys()) if (!kept.has(id)) joined.delete(id);
    for (const id of ids) if (!joined.has(id)) joined.set(id, now);
    refreshIfStale();
  }, 150);

  /** `read` (a row's data read at `since`), with what frames told since then instead. */
  function newest(read, since) {
    const presence = rtm?.lastHeard('presence', read.id);
    if (presence && presence.at >= since) read.presence = presenceOf(presence.frame);
    const status = rtm?.lastHeard('status', read.id);
    if (status && status.at >= since) {
      read.statusText = status.frame.user.profile?.status_text ?? '';
      read.statusEmoji = status.frame.user.profile?.status_emoji ?? '';
    }
    return read;
  }

  /** Whether a user's row may show old data: not followed without a gap since the last read. */
  function stale(user) {
    const since = joined.get(user.id);
    return since === undefined || since > listReadAt;
  }

  /** Reads the list again when a row on screen may be out of date. */
  function refreshIfStale() {
    const first = Math.floor(scroller.scrollTop / rowHeight);
    const last = Math.ceil((scroller.scrollTop + (scroller.clientHeight || 600)) / rowHeight);
    if (shown.slice(first, last).some(stale)) refreshSoon();
  }

  function refreshSoon() {
    if (disposed || refreshing || refreshTimer) return;
    const wait = lastRefresh + refreshEvery - Date.now();
    if (wait > 0) {
      refreshTimer = setTimeout(() => { refreshTimer = null; refreshIfStale(); }, wait);
      return;
    }
    refreshing = true;
    const started = Date.now();
    lastRefresh = started;
    listUsers().then((members) => {
      refreshing = false;
      if (disposed) return;
      for (const m of members) {
        const user = byId.get(m.id);
        if (user) Object.assign(user, newest(fromMember(m), started));
      }
      listReadAt = started;
      paint(true);
    }, () => { refreshing = false; });
  }

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
  // A new socket missed what happened while there was none: every row is followed from now on.
  const onConnection = (event) => {
    if (disposed || !event.open) return;
    const now = Date.now();
    for (const id of joined.keys()) joined.set(id, now);
    refreshIfStale();
  };
  rtm?.on('presence_change', onPresence);
  rtm?.on('user_status_changed', onStatus);
  rtm?.on('connection', onConnection);
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

  listReadAt = Date.now();
  listUsers().then((members) => {
    if (disposed) return;
    all = members.filter((m) => !m.deleted).map((m) => newest(fromMember(m), listReadAt));
    all.sort((a, b) => a.name.localeCompare(b.name));
    for (const user of all) byId.set(user.id, user);
    firstWindow = true;
    applyFilter();
  }, (error) => {
    count.textContent = `Could not list users: ${error instanceof ApiError ? error.code : error.message}`;
  });

  return () => {
    disposed = true;
    clearTimeout(refreshTimer);
    stopService();
    window.removeEventListener('resize', onResize);
    rtm?.off?.('presence_change', onPresence);
    rtm?.off?.('user_status_changed', onStatus);
    rtm?.off?.('connection', onConnection);
    rtm?.off?.('user_change', onStatus);
  };
}
