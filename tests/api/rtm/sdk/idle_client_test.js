// What counts as activity, seen through the official Slack clients (@slack/rtm-api,
// @slack/web-api) against a presenced started with --idle-timeout 5 --activity-log-interval 1:
// a client that only keeps its socket alive (the SDK's own pings, presence_sub, presence_query)
// goes away at the idle timeout; one that sends `tickle` stays active; `tickle` and
// users.setActive bring the idle one back. A bot (admin.users.create is_bot=true, an xoxb- token)
// never goes auto-away: active while its socket is open, away once it disconnects.
// Usage: node idle_client_test.js API_URL ADMIN_TOKEN IDLE_TIMEOUT_SECONDS
'use strict';
const assert = require('assert');
const { RTMClient } = require('@slack/rtm-api');
const { WebClient, LogLevel } = require('@slack/web-api');

const [apiUrl, adminToken, idleArg] = process.argv.slice(2);
const idleMs = Number(idleArg) * 1000;
const options = {
  slackApiUrl: apiUrl,
  autoReconnect: false,
  clientPingTimeout: 500, // the SDK's keep-alive: several pings within one idle timeout
  serverPongTimeout: 400,
  logLevel: LogLevel.ERROR,
};
const web = (token) => new WebClient(token, { slackApiUrl: apiUrl, logLevel: LogLevel.ERROR });
const names = (event) => event.users || (event.user ? [event.user] : []);

/** The next `presence_change` of `client` for `user` with `presence`, or a rejection after `ms`. */
function change(client, user, presence, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('presence_change', handler);
      reject(new Error(`${user} did not turn ${presence} within ${ms} ms`));
    }, ms);
    function handler(event) {
      if (event.presence !== presence || !names(event).includes(user)) return;
      clearTimeout(timer);
      client.off('presence_change', handler);
      resolve(Date.now());
    }
    client.on('presence_change', handler);
  });
}

async function connect(id, isBot = false) {
  const at = Date.now(); // before the socket opens: the idle clock starts later than this
  const answer = await web(adminToken).apiCall('admin.users.create', { id, name: id, is_bot: isBot });
  assert.strictEqual(answer.user.is_bot, isBot);
  assert.ok(answer.token.startsWith(isBot ? 'xoxb-' : 'xoxp-'), 'token prefix');
  const client = new RTMClient(answer.token, options);
  const ready = new Promise((resolve) => client.once('ready', resolve));
  await client.start({ batch_presence_aware: true });
  await ready;
  return { client, token: answer.token, at };
}

async function main() {
  const watcher = await connect('idle_watch');
  const bot = await connect('idle_bot', true);
  const pinger = await connect('idle_ping');
  // The SDK reports `ready` a while after the socket opened: tickle from then on.
  const tickler = await connect('idle_tickle');
  const ticks = setInterval(() => tickler.client.addOutgoingEvent(false, 'tickle'), 300);
  let ticklerAway = false;
  watcher.client.on('presence_change', (e) => {
    if (e.presence === 'away' && names(e).includes('idle_tickle')) ticklerAway = true;
  });

  // The pinger also subscribes and queries: neither is activity.
  await pinger.client.subscribePresence(['idle_watch']);
  await pinger.client.addOutgoingEvent(false, 'presence_query', { ids: ['idle_watch'] });
  const pingerAway = change(watcher.client, 'idle_ping', 'away', idleMs * 4);
  await watcher.client.subscribePresence(['idle_ping', 'idle_tickle', 'idle_bot']);
  const awayAt = await pingerAway;
  const idleFor = awayAt - pinger.at;
  assert.ok(idleFor >= idleMs - 250, `away after ${idleFor} ms, before the ${idleMs} ms timeout`);

  // The tickler stays active across two more idle timeouts.
  const stillActive = await web(adminToken).users.getPresence({ user: 'idle_tickle' });
  assert.strictEqual(stillActive.presence, 'active');
  const botActive = await web(adminToken).users.getPresence({ user: 'idle_bot' });
  assert.strictEqual(botActive.presence, 'active', 'a connected bot never goes auto-away');
  // Bots have no status, and choose only away or auto.
  await assert.rejects(web(bot.token).users.profile.set({ profile: { status_text: 'x' } }),
    (err) => err.data && err.data.error === 'not_allowed_token_type');
  await assert.rejects(web(bot.token).users.setPresence({ presence: 'busy' }),
    (err) => err.data && err.data.error === 'invalid_presence');
  await assert.rejects(change(watcher.client, 'idle_tickle', 'away', idleMs * 2));
  assert.ok(!ticklerAway, 'a client that tickles never went away');

  // tickle brings the idle client back; users.setActive does the same over HTTP.
  const back = change(watcher.client, 'idle_ping', 'active', 5000);
  await pinger.client.addOutgoingEvent(false, 'tickle');
  await back;
  await change(watcher.client, 'idle_ping', 'away', idleMs * 4);
  const again = change(watcher.client, 'idle_ping', 'active', 5000);
  const setActive = await web(pinger.token).apiCall('users.setActive');
  assert.ok(setActive.ok);
  await again;

  // The bot goes away when its socket closes.
  const botGone = change(watcher.client, 'idle_bot', 'away', 5000);
  await bot.client.disconnect();
  await botGone;

  clearInterval(ticks);
  console.log(`rtm sdk idle: ok (ping-only client away after ${idleFor} ms)`);
  process.exit(0);
}

main().catch((err) => {
  console.error('rtm sdk idle failed:', err);
  process.exit(1);
});
