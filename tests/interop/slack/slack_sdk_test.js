// Drives a running presenced through the official Slack Node SDK (@slack/web-api) pointed at it
// with slackApiUrl. Usage: node slack_sdk_test.js http://127.0.0.1:PORT ADMIN_TOKEN
'use strict';

const assert = require('assert');
const { WebClient } = require('@slack/web-api');

const [baseUrl, adminToken] = process.argv.slice(2);
const apiUrl = `${baseUrl}/api/`;
const options = { slackApiUrl: apiUrl, retryConfig: { retries: 0 } };

async function expectError(promise, code) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.data && e.data.error, code, `expected ${code}, got ${e.message}`);
    return;
  }
  assert.fail(`expected the SDK to throw ${code}`);
}

async function main() {
  const admin = new WebClient(adminToken, options);
  const created = await admin.apiCall('admin.users.create', { id: 'sdk_user', name: 'SDK User' });
  assert.strictEqual(created.user.id, 'sdk_user');
  const user = new WebClient(created.token, options);

  const auth = await user.auth.test();
  assert.strictEqual(auth.user_id, 'sdk_user');

  await user.users.setPresence({ presence: 'away' });
  let presence = await user.users.getPresence();
  assert.strictEqual(presence.presence, 'away');
  assert.strictEqual(presence.manual_away, true);

  await user.users.setPresence({ presence: 'auto' });
  presence = await user.users.getPresence({ user: 'sdk_user' });
  assert.strictEqual(presence.manual_away, false);

  // The SDK sends `profile` as URL-encoded JSON in a form body.
  const expiration = Math.floor(Date.now() / 1000) + 3600;
  const set = await user.users.profile.set({
    profile: { status_text: 'riding a train', status_emoji: ':mountain_railway:', status_expiration: expiration },
  });
  assert.strictEqual(set.profile.status_text, 'riding a train');
  const got = await user.users.profile.get();
  assert.strictEqual(got.profile.status_text, 'riding a train');
  assert.strictEqual(got.profile.status_emoji, ':mountain_railway:');
  assert.strictEqual(got.profile.status_expiration, expiration);

  // name + value form, then clearing.
  await user.users.profile.set({ name: 'status_text', value: 'walking' });
  assert.strictEqual((await user.users.profile.get()).profile.status_text, 'walking');
  await user.users.profile.set({ profile: { status_text: '', status_emoji: '' } });
  assert.strictEqual((await user.users.profile.get()).profile.status_text, '');

  // Errors reach the SDK as Slack platform errors.
  await expectError(user.users.setPresence({ presence: 'sideways' }), 'invalid_presence');
  await expectError(user.users.getPresence({ user: 'nobody' }), 'user_not_found');
  await expectError(new WebClient('xoxp-bogus', options).auth.test(), 'invalid_auth');
  await expectError(user.apiCall('admin.users.create', { id: 'nope' }), 'not_admin');

  console.log('interop: @slack/web-api drove users.setPresence/getPresence and users.profile.set/get');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
