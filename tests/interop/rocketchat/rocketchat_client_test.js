// Drives a running presenced through Rocket.Chat's own REST client (@rocket.chat/api-client):
// custom statuses created, searched, updated and deleted with today's shapes, one picked the way
// Rocket.Chat's client picks it, presence preferences set and refused, and the admin setting that
// turns the presence service off and on.
// Usage: node rocketchat_client_test.js http://127.0.0.1:PORT ADMIN_TOKEN
'use strict';

const assert = require('assert');
const { RestClient } = require('@rocket.chat/api-client');

const [baseUrl, adminToken] = process.argv.slice(2);

function client(userId, token) {
  return new RestClient({ baseUrl, credentials: { 'X-User-Id': userId, 'X-Auth-Token': token } });
}

/// The failed answer's JSON (the client rejects with the fetch Response).
async function refusal(promise) {
  try {
    await promise;
  } catch (response) {
    return { status: response.status, body: await response.json() };
  }
  assert.fail('expected a refusal');
}

async function main() {
  const admin = client('admin', adminToken);
  // A user to act as, made with the Web API's admin method.
  const made = await fetch(`${baseUrl}/api/admin.users.create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'rc_client', name: 'RC Client' }),
  }).then((r) => r.json());
  assert.strictEqual(made.ok, true, JSON.stringify(made));
  const user = client('rc_client', made.token);

  const lunch = await admin.post('/v1/custom-user-status.create', { name: 'Interop Lunch', statusType: 'away' });
  assert.strictEqual(lunch.success, true);
  assert.strictEqual(lunch.customUserStatus.name, 'Interop Lunch');
  assert.strictEqual(lunch.customUserStatus.statusType, 'away');
  assert.ok(!Number.isNaN(Date.parse(lunch.customUserStatus._updatedAt)), lunch.customUserStatus._updatedAt);
  const focus = await admin.post('/v1/custom-user-status.create', { name: 'Interop Focus', statusType: 'busy' });

  // Every user searches them: case-insensitive substring, sorted by name.
  const found = await user.get('/v1/custom-user-status.list', { name: 'INTEROP' });
  assert.deepStrictEqual(found.statuses.map((s) => s.name), ['Interop Focus', 'Interop Lunch']);
  const byId = await user.get('/v1/custom-user-status.list', { _id: focus.customUserStatus._id });
  assert.strictEqual(byId.statuses.length, 1);

  // Picked as Rocket.Chat's client does: the custom status's type and name.
  assert.strictEqual((await user.post('/v1/users.setStatus', { status: 'away', message: 'Interop Lunch' })).success, true);
  const status = await user.get('/v1/users.getStatus');
  assert.strictEqual(status.message, 'Interop Lunch');

  // Preferences: set, read back, refused out of range.
  const set = await user.post('/v1/users.setPreferences', { data: { enableAutoAway: true, idleTimeLimit: 30 } });
  assert.strictEqual(set.user.settings.preferences.idleTimeLimit, 30);
  const prefs = await user.get('/v1/users.getPreferences');
  assert.deepStrictEqual(prefs.preferences, { enableAutoAway: true, idleTimeLimit: 30 });
  const tooShort = await refusal(user.post('/v1/users.setPreferences', { data: { idleTimeLimit: 10 } }));
  assert.strictEqual(tooShort.status, 400);
  assert.strictEqual(tooShort.body.errorType, 'error-invalid-params');

  // Updated and deleted; what the user shows stays.
  const updated = await admin.post('/v1/custom-user-status.update', {
    _id: lunch.customUserStatus._id, name: 'Interop Long lunch', statusType: 'busy',
  });
  assert.strictEqual(updated.customUserStatus.name, 'Interop Long lunch');
  assert.strictEqual((await admin.post('/v1/custom-user-status.delete', { customUserStatusId: lunch.customUserStatus._id })).success, true);
  const gone = await user.get('/v1/custom-user-status.list', { _id: lunch.customUserStatus._id });
  assert.strictEqual(gone.statuses.length, 0);
  assert.strictEqual((await user.get('/v1/users.getStatus')).message, 'Interop Lunch');
  const forbidden = await refusal(user.post('/v1/custom-user-status.create', { name: 'Mine', statusType: 'busy' }));
  assert.strictEqual(forbidden.status, 403);

  // The admin page's switch: the setting Troubleshoot_Disable_Presence_Broadcast.
  const setting = '/v1/settings/Troubleshoot_Disable_Presence_Broadcast';
  assert.deepStrictEqual(await admin.get(setting),
    { _id: 'Troubleshoot_Disable_Presence_Broadcast', value: false, success: true });
  assert.strictEqual((await admin.post(setting, { value: true })).success, true);
  assert.strictEqual((await admin.get(setting)).value, true);
  const off = await admin.get('/v1/presence.getConnections');
  assert.strictEqual(off.enabled, false);
  assert.strictEqual(off.reason, 'admin');
  assert.strictEqual((await user.get('/v1/users.getStatus')).status, 'disabled');
  assert.strictEqual((await admin.post(setting, { value: false })).success, true);
  assert.strictEqual((await admin.get('/v1/presence.getConnections')).enabled, true);
  const notAdmin = await refusal(user.post(setting, { value: true }));
  assert.strictEqual(notAdmin.status, 403);
  assert.strictEqual(notAdmin.body.errorType, 'error-not-allowed');
  console.log('rocketchat client interop: ok');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
