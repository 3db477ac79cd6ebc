// Drives a running presenced through Rocket.Chat's own real-time client (@rocket.chat/ddp-client,
// DDP on /websocket): a resume-token login, user-status events for another user (online, busy,
// offline), the presence service turned off and on seen with its reason, and a revoked token's
// login refused.
// Usage: node ddp_client_test.js http://127.0.0.1:PORT ADMIN_TOKEN
'use strict';

const assert = require('assert');
// Node 20 has no global WebSocket; the client takes the global one.
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = require('ws').WebSocket;
}
const { DDPSDK } = require('@rocket.chat/ddp-client');

const [baseUrl, adminToken] = process.argv.slice(2);

async function slack(method, body) {
  const answer = await fetch(`${baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json());
  assert.strictEqual(answer.ok, true, `${method}: ${JSON.stringify(answer)}`);
  return answer;
}

/// Calls `register(handler)` and resolves with the first value `handler` sees that `match`es.
function first(register, match, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10000);
    register((...args) => {
      if (match(...args)) {
        clearTimeout(timer);
        resolve(args);
      }
    });
  });
}

async function loggedIn(token) {
  const sdk = DDPSDK.create(baseUrl);
  await sdk.connection.connect();
  await sdk.account.loginWithToken(token);
  return sdk;
}

async function main() {
  const watcherUser = await slack('admin.users.create', { id: 'ddp_watcher', name: 'DDP Watcher' });
  const peerUser = await slack('admin.users.create', { id: 'ddp_peer', name: 'DDP Peer' });

  // The client needs id, token and tokenExpires from the login's result.
  const watcher = await loggedIn(watcherUser.token);
  assert.strictEqual(watcher.account.uid, 'ddp_watcher');
  assert.strictEqual(watcher.account.user.token, watcherUser.token);
  assert.ok(watcher.account.user.tokenExpires > new Date(), String(watcher.account.user.tokenExpires));

  // user-status events: [userId, username, statusCode, statusText].
  const statusHandlers = [];
  const statuses = watcher.stream('notify-logged', 'user-status', (entry) => {
    statusHandlers.forEach((handler) => handler(entry));
  });
  await statuses.ready();
  const onStatus = (handler) => statusHandlers.push(handler);
  const isPeer = (code) => ([id, username, status]) =>
    id === 'ddp_peer' && username === 'ddp_peer' && status === code;

  const online = first(onStatus, isPeer(1), 'ddp_peer online');
  const peer = await loggedIn(peerUser.token);
  const [[, , , text]] = await online;
  assert.strictEqual(text, '');

  const busy = first(onStatus, isPeer(3), 'ddp_peer busy');
  assert.strictEqual(await peer.call('UserPresence:setDefaultStatus', 'busy'), true);
  await busy;
  assert.strictEqual(await peer.call('UserPresence:online'), true);

  // The service turned off and back on: the reason comes with it.
  const serviceHandlers = [];
  const service = watcher.stream('notify-logged', 'presence-service-status', (state) => {
    serviceHandlers.forEach((handler) => handler(state));
  });
  await service.ready();
  const onService = (handler) => serviceHandlers.push(handler);
  const disabled = first(onService, (state) => state.enabled === false, 'service disabled');
  await slack('admin.presence.disable', {});
  const [state] = await disabled;
  assert.strictEqual(state.enabled, false);
  assert.strictEqual(state.reason, 'admin');
  assert.strictEqual(typeof state.connections, 'number');
  assert.strictEqual(typeof state.limit, 'number');
  const enabled = first(onService, (s) => s.enabled === true, 'service enabled');
  await slack('admin.presence.enable', {});
  await enabled;

  // Every socket of ddp_peer closed: offline.
  const offline = first(onStatus, isPeer(0), 'ddp_peer offline');
  peer.connection.close();
  await offline;

  // A revoked token's login is refused with Rocket.Chat's logged-out error.
  const spare = await slack('admin.tokens.issue', { user: 'ddp_peer' });
  await slack('admin.tokens.revoke', { token_id: spare.token_id });
  const refused = DDPSDK.create(baseUrl);
  await refused.connection.connect();
  await assert.rejects(refused.account.loginWithToken(spare.token), (error) => {
    assert.strictEqual(error.error, 403, JSON.stringify(error));
    assert.strictEqual(error.errorType, 'Meteor.Error');
    assert.strictEqual(error.details.code, 'token_revoked');
    return true;
  });
  assert.strictEqual(refused.account.uid, undefined);

  statuses.stop();
  service.stop();
  refused.connection.close();
  watcher.connection.close();
  console.log('rocketchat ddp client interop: ok');
}

main().then(
  () => process.exit(0),  // the client's heartbeat timers would keep node alive
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
