// The user directory and user_change through the official Slack clients (@slack/web-api,
// @slack/rtm-api), unchanged, against a running presenced: users.list pages through 2,500 users
// with response_metadata.next_cursor; users.info shows an always-active bot's flag; a status
// change reaches a socket that subscribed to nobody as Slack's user_change, whole user object.
// Usage: node directory_client_test.js API_URL ADMIN_TOKEN
'use strict';
const assert = require('assert');
const { RTMClient } = require('@slack/rtm-api');
const { WebClient, LogLevel } = require('@slack/web-api');

const [apiUrl, adminToken] = process.argv.slice(2);
const web = (token) => new WebClient(token, { slackApiUrl: apiUrl, logLevel: LogLevel.ERROR });
const admin = web(adminToken);
const PEOPLE = 2500;

/** The next `user_change` of `client` about `user` satisfying `match`, or a rejection. */
function userChange(client, user, match, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('user_change', handler);
      reject(new Error(`no user_change for ${user} within ${ms} ms`));
    }, ms);
    function handler(event) {
      if (!event.user || event.user.id !== user || !match(event.user)) return;
      clearTimeout(timer);
      client.off('user_change', handler);
      resolve(event.user);
    }
    client.on('user_change', handler);
  });
}

async function createPeople() {
  const ids = Array.from({ length: PEOPLE }, (_, i) => `dir_${String(i).padStart(4, '0')}`);
  for (let i = 0; i < ids.length; i += 50)
    await Promise.all(ids.slice(i, i + 50).map((id) => admin.apiCall('admin.users.create', { id, name: id })));
  return ids;
}

async function main() {
  const ids = await createPeople();
  const reader = web((await admin.apiCall('admin.users.create', { id: 'dir_reader', name: 'reader' })).token);

  // users.list: every page through next_cursor, empty on the last one.
  const seen = [];
  let cursor;
  let pages = 0;
  for (;;) {
    const page = await reader.users.list({ limit: 1000, cursor });
    pages += 1;
    for (const member of page.members) seen.push(member.id);
    cursor = page.response_metadata.next_cursor;
    if (!cursor) break;
    assert.ok(pages < 10, 'the cursor must end');
  }
  const listed = seen.filter((id) => /^dir_\d{4}$/.test(id));
  assert.deepStrictEqual(listed, ids, 'every person once, in id order');
  assert.ok(pages >= 3, `${pages} pages for ${seen.length} users`);

  // users.info: an always-active bot.
  await admin.apiCall('admin.users.create', { id: 'dir_bot', name: 'dir bot', is_bot: true });
  await admin.apiCall('admin.users.setAlwaysActive', { user: 'dir_bot', always_active: true });
  const info = await reader.users.info({ user: 'dir_bot' });
  assert.strictEqual(info.user.is_bot, true);
  assert.strictEqual(info.user.profile.always_active, true);
  const presence = await reader.users.getPresence({ user: 'dir_bot' });
  assert.strictEqual(presence.presence, 'away', "Slack's presence field stays away");

  // user_change reaches a socket that subscribed to nobody.
  const watcher = new RTMClient((await admin.apiCall('admin.users.create', { id: 'dir_watch', name: 'w' })).token, {
    slackApiUrl: apiUrl, autoReconnect: false, logLevel: LogLevel.ERROR,
  });
  const ready = new Promise((resolve) => watcher.once('ready', resolve));
  await watcher.start({ batch_presence_aware: true });
  await ready;
  const changed = userChange(watcher, 'dir_0007', (u) => u.profile.status_text === 'riding a train');
  const person = web((await admin.apiCall('admin.tokens.issue', { user: 'dir_0007' })).token);
  await person.users.profile.set({ profile: { status_text: 'riding a train', status_emoji: ':mountain_railway:' } });
  const user = await changed;
  assert.strictEqual(user.name, 'dir_0007');
  assert.strictEqual(user.is_bot, false);
  assert.strictEqual(user.deleted, false);
  assert.strictEqual(user.profile.status_emoji, ':mountain_railway:');
  await watcher.disconnect();

  console.log(`rtm sdk directory: ok (${seen.length} users in ${pages} pages)`);
  process.exit(0);
}

main().catch((err) => {
  console.error('rtm sdk directory failed:', err);
  process.exit(1);
});
