// The official Slack SDKs over TLS: @slack/web-api over https:// and @slack/rtm-api over the
// wss:// URL rtm.connect hands out, against a presenced serving a self-signed certificate that the
// caller trusts through NODE_EXTRA_CA_CERTS.
// Usage: node tls_sdk_test.js https://127.0.0.1:PORT/api/ ADMIN_TOKEN
'use strict';

const assert = require('assert');
const { WebClient, LogLevel } = require('@slack/web-api');
const { RTMClient } = require('@slack/rtm-api');

const [apiUrl, adminToken] = process.argv.slice(2);
const options = { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR };

async function main() {
  assert.ok(apiUrl.startsWith('https://'), 'the API URL is https');
  const admin = new WebClient(adminToken, options);
  const created = await admin.apiCall('admin.users.create', { id: 'tls_user', name: 'TLS User' });
  const user = new WebClient(created.token, options);

  const auth = await user.auth.test();
  assert.strictEqual(auth.user_id, 'tls_user');
  assert.ok(auth.url.startsWith('https://'), `auth.test url ${auth.url} follows the scheme served`);
  await user.users.setPresence({ presence: 'away' });
  assert.strictEqual((await user.users.getPresence()).manual_away, true);

  const connect = await user.apiCall('rtm.connect');
  assert.ok(connect.url.startsWith('wss://'), `rtm.connect url ${connect.url} is wss`);

  const rtm = new RTMClient(created.token, {
    slackApiUrl: apiUrl, autoReconnect: false, logLevel: LogLevel.ERROR,
  });
  const ready = new Promise((resolve) => rtm.once('ready', resolve));
  await rtm.start({ batch_presence_aware: true });
  await ready;
  const changed = new Promise((resolve) => rtm.once('presence_change', resolve));
  await rtm.subscribePresence(['tls_user']);
  const change = await changed;
  assert.ok((change.users || [change.user]).includes('tls_user'));
  await rtm.disconnect();
  console.log('TLS: web-api over https and rtm-api over wss ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
