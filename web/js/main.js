// The console's entry point: sign-in, the header (navigation, My status, Sign out), the notice
// shown while the presence service is off, activity reporting, and the hash router.

import {ApiError, resume, session, signIn, signOut, rest, reasonText} from './api.js';
import {h, replace, field, setFieldError} from './dom.js';
import {watchActivity} from './activity.js';
import {Rtm} from './rtm.js';
import {store} from './store.js';
import {setupStatusMenu} from './status_menu.js';
import {renderPeople} from './people.js';
import {renderAdmin, renderUserStatus} from './admin.js';
import {renderAudit} from './audit.js';

const view = document.getElementById('view');
const header = document.querySelector('header.top');
const notice = document.getElementById('notice');
let rtm = null;
let cleanup = null;

function showSignIn(message = '') {
  header.hidden = true;
  notice.hidden = true;
  const token = field('Token', h('input', {type: 'password', autocomplete: 'off', required: true}));
  setFieldError(token, message);
  const form = h('form', {class: 'card sign-in'},
    h('h1', {}, 'Presence console'),
    h('p', {}, 'Sign in with an access token: the admin token (data/admin-token) or a user\'s token.'),
    token.wrap,
    h('button', {type: 'submit', class: 'primary'}, 'Sign in'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setFieldError(token, '');
    try {
      await signIn(token.input.value.trim());
      start();
    } catch (error) {
      const why = error instanceof ApiError ? error.code : 'the server did not answer';
      setFieldError(token, `Sign-in refused: ${why}`);
      token.input.focus();
    }
  });
  replace(view, form);
  token.input.focus();
}

/** Shows or hides the notice from the service state. */
function renderNotice() {
  const service = store.service;
  if (service.enabled) {
    notice.hidden = true;
    notice.textContent = '';
    return;
  }
  notice.textContent = `Presence is inactive: ${reasonText(service.reason)}.` +
    (session.isAdmin ? ' An administrator can turn it back on under Administration › User Status › Presence service.' : '');
  notice.hidden = false;
}

/** Reads the service state (admins: connections and limit too). */
async function refreshService() {
  try {
    if (session.isAdmin) {
      const c = await rest('GET', 'presence.getConnections');
      store.setService({
        connections: c.current, limit: c.max,
        ...(c.enabled === undefined ? {} : {enabled: c.enabled, reason: c.reason ?? ''}),
      });
    }
  } catch {
    // The RTM frame still tells everyone whether the service is on.
  }
}

function route() {
  if (!session.token) return;
  if (cleanup) cleanup();
  cleanup = null;
  const hash = location.hash || '#/people';
  const [, name = 'people', sub = ''] = hash.split('/');
  for (const link of header.querySelectorAll('.main-nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const context = {view, rtm, refreshService};
  if (name === 'admin' && session.isAdmin) {
    cleanup = sub === 'user-status' ? renderUserStatus(context, location.hash.split('/')[3])
                                    : renderAdmin(context);
  } else if (name === 'audit' && session.isAdmin) {
    cleanup = renderAudit(context);
  } else {
    cleanup = renderPeople(context);
  }
}

function start() {
  header.hidden = false;
  for (const link of header.querySelectorAll('[data-admin]')) link.hidden = !session.isAdmin;
  rtm = new Rtm(session.user);
  rtm.on('presence_change', (frame) => {
    if (!(frame.users ?? [frame.user]).includes(session.user)) return;
    if (frame.presence === 'away') activity.idle();
    store.refreshMe();
  });
  rtm.on('presence_service_status', (frame) => {
    store.setService({enabled: frame.enabled, reason: frame.reason ?? (frame.enabled ? '' : store.service.reason)});
    refreshService();
  });
  rtm.on('manual_presence_change', () => store.refreshMe());
  rtm.on('connection', (event) => { if (event.open) store.refreshMe(); });
  store.onService(renderNotice);
  rtm.start();
  setupStatusMenu(rtm);
  refreshService();
  store.refreshMe();
  route();
}

document.getElementById('sign-out').addEventListener('click', () => {
  if (rtm) rtm.stop();
  rtm = null;
  if (cleanup) cleanup();
  cleanup = null;
  signOut();
  store.reset();
  location.hash = '';
  showSignIn();
});

const activity = watchActivity(() => rtm);

window.addEventListener('hashchange', route);

(async () => {
  if (await resume()) start();
  else showSignIn();
})();


