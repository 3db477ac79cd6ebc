// The official Slack RTM client (@slack/rtm-api) against a running presenced: rtm.connect, hello,
// presence_sub with batched presence_change, ping/pong by reply_to, presence_query,
// manual_presence_change on the user's own socket, user_status_changed, an error reply.
// Usage: node rtm_client_test.js API_URL ADMIN_TOKEN   (API_URL = http://HOST:PORT/api/)
'use strict';
const assert = require('assert');
const { RTMClient } = require('@slack/rtm-api');
const { WebClient, LogLevel } = require('@slack/web-api');

const [apiUrl, adminToken] = process.argv.slice(2);
const options = {
  slackApiUrl: apiUrl,
  autoReconnect: false,
  replyAckOnReconnectTimeout: 100,
  clientPingTimeout: 1000,  // the client's own keep-alive: a ping a second, answered by our pongs
  serverPongTimeout: 900,   // (the SDK wants it below the ping interval)
  logLevel: LogLevel.ERROR,
};

/** The next `type` event of `client` satisfying `match`, or a rejection after `ms`. */
function next(client, type, match, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(type, handler);
      reject(new Error(`no ${type} event matching ${match} within ${ms} ms`));
    }, ms);
    function handler(event) {
      if (!match(event)) return;
      clearTimeout(timer);
      client.off(type, handler);
      resolve(event);
    }
    client.on(type, handler);
  });
}

const names = (event) => event.users || (event.user ? [event.user] : []);

async function createUser(id) {
  const admin = new WebClient(adminToken, { slackApiUrl: apiUrl, logLevel: LogLevel.ERROR });
  const answer = await admin.apiCall('admin.users.create', { id, name: id });
  return answer.token;
}

async function connect(token) {
  const client = new RTMClient(token, options);
  let dropped = false;
  client.on('disconnected', () => { dropped = true; });
  const ready = new Promise((resolve) => client.once('ready', resolve));
  const started = await client.start({ batch_presence_aware: true });
  assert.ok(started.ok, 'rtm.connect answers ok');
  await ready;
  return { client, dropped: () => dropped };
}

async function main() {
  const tokenA = await createUser('sdk_a');
  const tokenB = await createUser('sdk_b');
  const a = await connect(tokenA);

  const initial = next(a.client, 'presence_change', (e) => names(e).includes('sdk_b'));
  await a.client.subscribePresence(['sdk_b']);
  const first = await initial;
  assert.strictEqual(first.presence, 'away');
  assert.ok(Array.isArray(first.users), 'batched form: a users array');

  const active = next(a.client, 'presence_change',
    (e) => names(e).includes('sdk_b') && e.presence === 'active');
  const b = await connect(tokenB);
  await active;

  const pong = await a.client.addOutgoingEvent(true, 'ping');
  assert.strictEqual(pong.type, 'pong');

  const self = next(a.client, 'presence_change',
    (e) => names(e).includes('sdk_a') && e.presence === 'active');
  await a.client.addOutgoingEvent(false, 'presence_query', { ids: ['sdk_a'] });
  await self;

  const manual = next(b.client, 'manual_presence_change', (e) => e.presence === 'away');
  const away = next(a.client, 'presence_change',
    (e) => names(e).includes('sdk_b') && e.presence === 'away');
  const webB = new WebClient(tokenB, { slackApiUrl: apiUrl, logLevel: LogLevel.ERROR });
  await webB.users.setPresence({ presence: 'away' });
  await manual;
  await away;

  const status = next(a.client, 'user_status_changed',
    (e) => e.user && e.user.id === 'sdk_b' && e.user.profile.status_text === 'on a train');
  await webB.users.profile.set({ profile: { status_text: 'on a train', status_emoji: ':train:' } });
  await status;

  // An error frame carries reply_to: the SDK rejects the awaited reply.
  await assert.rejects(a.client.addOutgoingEvent(true, 'presence_query', { ids: ['not a user id'] }));

  // The SDK's own keep-alive (a ping a second) gets its pongs: await three rounds.
  for (let round = 0; round < 3; ++round)
    await next(a.client, 'pong', (e) => e.reply_to !== undefined);
  assert.ok(!a.dropped() && !b.dropped(), 'the SDK kept both sockets');

  const gone = next(a.client, 'presence_change',
    (e) => names(e).includes('sdk_b') && e.presence === 'away');
  await b.client.disconnect();
  await gone;
  // Not a.client.disconnect(): @slack/rtm-api 7.0.4 throws in it once replies were awaited (it
  // iterates a sparse array of pending replies). Exiting drops the socket, which the server logs.
  console.log('rtm sdk interop: ok');
  process.exit(0);
}

main().catch((err) => {
  console.error('rtm sdk interop failed:', err);
  process.exit(1);
});
