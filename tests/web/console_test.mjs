// The web console in a real headless Chromium (Debian's chromium, driven by playwright-core)
// against a real presenced. Every wait is on a condition (Playwright's auto-waiting); none sleeps.
// Usage: node console_test.mjs PRESENCED [SCREENSHOT_DIR] [FIGURES_FILE]
import assert from 'node:assert/strict';
import {mkdirSync, writeFileSync} from 'node:fs';
import {chromium} from 'playwright-core';
import {adminToken, startServer} from './server.mjs';

const [presenced, shotDir = '', figuresFile = ''] = process.argv.slice(2);
const desktop = {width: 1280, height: 800};
const phone = {width: 360, height: 740};
const figures = {};
if (shotDir) mkdirSync(shotDir, {recursive: true});

/** A screenshot of the page at desktop size and at 360 px wide (docs/console/NAME-*.png). */
async function shoot(page, name) {
  if (!shotDir) return;
  await page.screenshot({path: `${shotDir}/${name}-desktop.png`});
  await page.setViewportSize(phone);
  await page.screenshot({path: `${shotDir}/${name}-360.png`, fullPage: true});
  await page.setViewportSize(desktop);
}

async function signIn(page, base, token) {
  await page.goto(`${base}/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('button', {name: 'Sign out'}).waitFor();
}

// Errors the pages reported (exceptions, CSP violations); each test fails when one appeared.
const pageErrors = [];
function watch(page, label) {
  page.on('pageerror', (error) => pageErrors.push(`${label}: page error: ${error.message}`));
  page.on('console', (message) => {
    // Refused API calls (403, 404) are logged by the browser as failed loads: expected here.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      pageErrors.push(`${label}: console error: ${message.text()}`);
  });
}

const tests = [];
const test = (name, fn) => tests.push({name, fn});

let server;
let browser;
const state = {};

test('first load transfers under 100 KB and signs in with a token', async () => {
  const context = await browser.newContext({viewport: desktop});
  const page = await context.newPage();
  watch(page, 'first load');
  let bytes = 0;
  let requests = 0;
  page.on('requestfinished', async (request) => {
    const sizes = await request.sizes();
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    requests += 1;
  });
  await page.goto(`${server.base}/`, {waitUntil: 'networkidle'});
  await page.getByLabel('Token').waitFor();
  figures.first_load_bytes = bytes;
  figures.first_load_requests = requests;
  assert.ok(bytes < 100 * 1024, `first load is ${bytes} bytes`);
  assert.equal(await page.evaluate(() => document.cookie), '');
  await shoot(page, 'sign-in');
  await page.getByLabel('Token').fill('not-a-token');
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByText('Sign-in refused: invalid_auth').waitFor();
  await page.getByLabel('Token').fill(adminToken);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('link', {name: 'Administration'}).waitFor();
  // The token stays in this tab's sessionStorage: no cookie, nothing in the URL.
  assert.equal(await page.evaluate(() => sessionStorage.getItem('presence.token')), adminToken);
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.ok(!page.url().includes(adminToken));
  await page.getByRole('button', {name: 'Sign out'}).click();
  await page.getByLabel('Token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('presence.token')), null);
  await context.close();
});

test('an admin creates "Lunch" tied to Away, finds it by search, renames and deletes it', async () => {
  await server.slack('admin.presets.create', adminToken, {name: 'Meeting', presence: 'busy'});
  const context = await browser.newContext({viewport: desktop});
  const page = await context.newPage();
  watch(page, 'admin');
  await signIn(page, server.base, adminToken);
  await page.getByRole('link', {name: 'Administration'}).click();
  await shoot(page, 'administration');
  await page.getByRole('link', {name: 'User Status'}).click();
  await page.getByRole('heading', {name: 'User Status'}).waitFor();
  const table = page.getByRole('table', {name: 'Custom statuses'});
  await table.getByRole('row', {name: /Meeting/}).waitFor();

  await page.getByRole('button', {name: 'New custom status'}).click();
  let panel = page.getByRole('complementary', {name: 'New custom status'});
  await panel.getByLabel('Name').fill('Lunch');
  await panel.getByLabel('Presence').selectOption({label: 'Away'});
  await shoot(page, 'new-custom-status');
  await panel.getByRole('button', {name: 'Save'}).click();
  await table.getByRole('row', {name: /Lunch\s+Away/}).waitFor();

  // Server errors show next to the field; nothing half-saved.
  await page.getByRole('button', {name: 'New custom status'}).click();
  panel = page.getByRole('complementary', {name: 'New custom status'});
  await panel.getByLabel('Name').fill('lunch');
  await panel.getByRole('button', {name: 'Save'}).click();
  const nameField = panel.getByLabel('Name');
  await panel.locator('input[aria-invalid="true"]').waitFor();
  const error = await nameField.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')).textContent);
  assert.match(error, /exists/);
  await shoot(page, 'custom-status-error');
  await nameField.fill('');
  await panel.getByRole('button', {name: 'Save'}).click();
  await panel.getByText('preset name must not be empty').waitFor();
  await panel.getByRole('button', {name: 'Close'}).click();
  assert.equal(await table.getByRole('row', {name: /Lunch/}).count(), 1);

  await page.getByLabel('Search').fill('lun');
  await table.getByRole('row', {name: /Meeting/}).waitFor({state: 'detached'});
  await table.getByRole('row', {name: /Lunch/}).waitFor();
  await shoot(page, 'user-status-search');

  await table.getByRole('row', {name: /Lunch/}).click();
  panel = page.getByRole('complementary', {name: 'Edit custom status'});
  assert.equal(await panel.getByLabel('Name').inputValue(), 'Lunch');
  await panel.getByLabel('Name').fill('Long lunch');
  await panel.getByRole('button', {name: 'Save'}).click();
  await table.getByRole('row', {name: /Long lunch\s+Away/}).waitFor();
  assert.equal(await table.getByRole('row', {name: /^Lunch/}).count(), 0);

  await table.getByRole('row', {name: /Long lunch/}).click();
  panel = page.getByRole('complementary', {name: 'Edit custom status'});
  await panel.getByRole('button', {name: 'Delete'}).click();
  await shoot(page, 'delete-custom-status');
  await panel.getByRole('button', {name: 'Yes, delete'}).click();
  await table.getByRole('row', {name: /Long lunch/}).waitFor({state: 'detached'});
  await page.getByText('No custom status matches.').waitFor();
  const left = await server.slack('admin.presets.list', adminToken);
  assert.deepEqual(left.presets.map((p) => p.name), ['Meeting']);
  await context.close();
});

test('a user picks a custom status from My status and the admin\'s People shows it within 1 s', async () => {
  await server.slack('admin.presets.create', adminToken, {name: 'Lunch', presence: 'away'});
  state.aliceToken = await server.createUser('alice', 'Alice Liddell');
  await server.createUser('bob', 'Bob Dylan');
  state.admin = await browser.newContext({viewport: desktop});
  state.adminPage = await state.admin.newPage();
  watch(state.adminPage, 'admin');
  await signIn(state.adminPage, server.base, adminToken);
  const people = state.adminPage.getByRole('region', {name: 'People'});
  const aliceRow = people.getByRole('listitem').filter({hasText: 'Alice Liddell'});
  await aliceRow.filter({hasText: 'offline'}).waitFor();
  // The admin's own row: online, whichever came first, the list or the socket.
  await people.getByRole('listitem').filter({hasText: 'admin'}).filter({hasText: 'online'}).waitFor({timeout: 3000});

  state.alice = await browser.newContext({viewport: desktop});
  state.alicePage = await state.alice.newPage();
  watch(state.alicePage, 'alice');
  await signIn(state.alicePage, server.base, state.aliceToken);
  await aliceRow.filter({hasText: 'online'}).waitFor();
  await state.alicePage.getByRole('button', {name: 'My status'}).click();
  const menu = state.alicePage.getByRole('menu', {name: 'My status'});
  for (const item of ['Online', 'Away', 'Busy', 'Offline', 'Meeting', 'Lunch', 'Custom status…'])
    await menu.getByRole('menuitem', {name: item, exact: true}).waitFor();
  await shoot(state.alicePage, 'my-status-menu');
  const started = Date.now();
  await menu.getByRole('menuitem', {name: 'Lunch'}).click();
  await aliceRow.filter({hasText: 'Lunch'}).filter({hasText: 'away'}).waitFor({timeout: 1000});
  figures.status_seen_by_admin_ms = Date.now() - started;
  assert.ok(figures.status_seen_by_admin_ms <= 1000);
  await shoot(state.adminPage, 'people');

  // The custom status dialog: text, emoji, clear after.
  await state.alicePage.getByRole('button', {name: 'My status'}).click();
  await menu.getByRole('menuitem', {name: 'Custom status…'}).click();
  const dialog = state.alicePage.getByRole('dialog', {name: 'Custom status'});
  await dialog.getByLabel('Status text').fill('x'.repeat(101));
  assert.equal((await dialog.getByLabel('Status text').inputValue()).length, 100);
  await dialog.getByLabel('Status text').fill('Out for a walk');
  await dialog.getByLabel('Emoji').selectOption(':palm_tree:');
  await dialog.getByLabel('Clear after').selectOption({label: '1 hour'});
  await shoot(state.alicePage, 'custom-status-dialog');
  await dialog.getByRole('button', {name: 'Save'}).click();
  await aliceRow.filter({hasText: 'Out for a walk'}).filter({hasText: '🌴'}).waitFor({timeout: 1000});
  const profile = await server.slack('users.profile.get', adminToken, {user: 'alice'});
  assert.equal(profile.profile.status_emoji, ':palm_tree:');
  const left = profile.profile.status_expiration - Date.now() / 1000;
  assert.ok(left > 3000 && left <= 3600, `expires in ${left} s`);

  await people.getByLabel('Filter by name').fill('bob');
  await people.getByRole('listitem').filter({hasText: 'Alice Liddell'}).waitFor({state: 'detached'});
  await people.getByText('1 person').waitFor();
  await people.getByLabel('Filter by name').fill('');
  await people.getByText('3 people').waitFor();

  // The menu by keyboard: arrows open it and move, Escape closes it and returns the focus.
  const statusButton = state.alicePage.getByRole('button', {name: 'My status'});
  await statusButton.focus();
  await state.alicePage.keyboard.press('ArrowDown');
  await menu.getByRole('menuitem', {name: 'Online'}).and(state.alicePage.locator(':focus')).waitFor();
  await state.alicePage.keyboard.press('End');
  await menu.getByRole('menuitem', {name: 'Custom status…'}).and(state.alicePage.locator(':focus')).waitFor();
  await state.alicePage.keyboard.press('Escape');
  await menu.waitFor({state: 'hidden'});
  await statusButton.and(state.alicePage.locator(':focus')).waitFor();

});

test('Preferences: an idle time limit is saved, shown after a reload, and refused out of range', async () => {
  const page = state.alicePage;
  const open = async () => {
    await page.getByRole('button', {name: 'Preferences'}).click();
    const dialog = page.getByRole('dialog', {name: 'Preferences'});
    await dialog.getByText('In force:').waitFor();
    return dialog;
  };
  let dialog = await open();
  assert.equal(await dialog.getByLabel('Away when idle (auto-away)').isChecked(), true);
  assert.equal(await dialog.getByLabel('Idle time limit (seconds)').inputValue(), '');
  await dialog.getByText('In force: 600 s.').waitFor();
  await dialog.getByLabel('Idle time limit (seconds)').fill('45');
  await dialog.getByRole('button', {name: 'Save'}).click();
  await dialog.getByText('Saved.').waitFor();
  await dialog.getByText('In force: 45 s.').waitFor();

  // After a reload (the tab keeps its token) the dialog reads the saved limit back.
  await page.reload();
  await page.getByRole('button', {name: 'Sign out'}).waitFor();
  dialog = await open();
  assert.equal(await dialog.getByLabel('Idle time limit (seconds)').inputValue(), '45');
  const prefs = await server.slack('users.prefs.get', state.aliceToken);
  assert.equal(prefs.prefs.idle_timeout, 45);

  // Out of range: the server's refusal next to the field, nothing saved.
  await dialog.getByLabel('Idle time limit (seconds)').fill('20');
  await dialog.getByRole('button', {name: 'Save'}).click();
  const idle = dialog.getByLabel('Idle time limit (seconds)');
  await dialog.locator('input[aria-invalid="true"]').waitFor();
  const error = await idle.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby').split(' ')[0]).textContent);
  assert.match(error, /idle_timeout must be 30\.\.604800 seconds/);
  await shoot(page, 'preferences');
  assert.equal((await server.slack('users.prefs.get', state.aliceToken)).prefs.idle_timeout, 45);

  // Empty returns to the workspace's limit.
  await idle.fill('');
  await dialog.getByRole('button', {name: 'Save'}).click();
  await dialog.getByText('In force: 600 s.').waitFor();
  assert.equal((await server.slack('users.prefs.get', state.aliceToken)).prefs.idle_timeout, 0);
  await dialog.getByRole('button', {name: 'Close'}).click();
});

test('the admin turns the service off and both pages show the alert', async () => {
  const {adminPage, alicePage} = state;
  await adminPage.getByRole('link', {name: 'Administration'}).click();
  await adminPage.getByRole('link', {name: 'User Status'}).click();
  await adminPage.getByRole('button', {name: 'Presence service'}).click();
  const toggle = adminPage.getByRole('switch', {name: 'Service status'});
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await adminPage.getByText('Connections: 2 / 200').waitFor();
  await shoot(adminPage, 'presence-service');
  await toggle.click();
  for (const page of [adminPage, alicePage])
    await page.getByRole('alert').filter({hasText: 'turned off by an administrator'}).waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await shoot(adminPage, 'presence-service-off');
  await shoot(alicePage, 'people-service-off');
  await alicePage.getByRole('region', {name: 'People'}).getByRole('listitem')
    .filter({hasText: 'Alice Liddell'}).filter({hasText: 'disabled'}).waitFor();
  await toggle.click();
  for (const page of [adminPage, alicePage]) await page.getByRole('alert').waitFor({state: 'hidden'});
});

test('a connection limit of 2 reached by two more sockets shows the reason and the refused re-enable', async () => {
  const {adminPage} = state;
  await state.alice.close();
  await adminPage.getByText('Connections: 1 / 200').waitFor();
  const limit = adminPage.getByLabel('Connection limit');
  await limit.fill('2');
  await adminPage.getByRole('button', {name: 'Save settings'}).click();
  await adminPage.getByText('Saved.').waitFor();
  await adminPage.getByText('Connections: 1 / 2').waitFor();
  // Two more sockets, opened by a page of the same origin with tickets from rtm.connect.
  const helper = await state.admin.newPage();
  await helper.goto(`${server.base}/healthz`);
  const bobToken = await server.createUser('carol', 'Carol King');
  await helper.evaluate(async (token) => {
    window.sockets = [];
    for (let i = 0; i < 2; i += 1) {
      const answer = await (await fetch('/api/rtm.connect', {method: 'POST', headers: {Authorization: `Bearer ${token}`}})).json();
      const socket = new WebSocket(answer.url);
      await new Promise((resolve) => socket.addEventListener('message', resolve, {once: true}));
      window.sockets.push(socket);
    }
  }, bobToken);
  await adminPage.getByRole('alert').filter({hasText: 'the workspace exceeded its connection limit'}).waitFor();
  await adminPage.getByText('Connections: 3 / 2').waitFor();
  const toggle = adminPage.getByRole('switch', {name: 'Service status'});
  await toggle.click();
  await adminPage.getByText('Refused: the workspace is still at its connection limit').waitFor();
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await shoot(adminPage, 'presence-service-limit');
  await helper.evaluate(() => window.sockets.forEach((s) => s.close()));
  await adminPage.getByText('Connections: 1 / 2').waitFor();
  await toggle.click();
  await adminPage.getByRole('alert').waitFor({state: 'hidden'});
  await limit.fill('200');
  await adminPage.getByRole('button', {name: 'Save settings'}).click();
  await adminPage.getByText('Connections: 1 / 200').waitFor();
  await helper.close();
});

test('Audit shows a user\'s day as a chart and the list of changes with who and where', async () => {
  const {adminPage} = state;
  await adminPage.getByRole('link', {name: 'Audit'}).click();
  await adminPage.getByLabel('User').fill('alice');
  await adminPage.getByRole('button', {name: 'Show'}).click();
  await adminPage.getByRole('img', {name: /Presence of alice on/}).waitFor();
  const changes = adminPage.getByRole('table', {name: /Changes/});
  await changes.getByRole('row', {name: /status_set.*users\.profile\.set/}).waitFor();
  await changes.getByRole('row', {name: /connected/}).first().waitFor();
  const report = await server.slack('admin.presence.report', adminToken, {user: 'alice', day: new Date().toISOString().slice(0, 10)});
  assert.equal(report.ok, true);
  const online = await adminPage.getByRole('table', {name: 'Time in each presence'}).getByRole('row', {name: /online/}).textContent();
  assert.ok(online.includes(report.seconds.online.toFixed(3)), `${online} vs ${report.seconds.online}`);
  await shoot(adminPage, 'audit');
});

test('a non-admin sees no Administration link and admin methods refuse them', async () => {
  const context = await browser.newContext({viewport: desktop});
  const page = await context.newPage();
  watch(page, 'alice again');
  await signIn(page, server.base, state.aliceToken);
  await page.getByRole('region', {name: 'People'}).waitFor();
  assert.equal(await page.getByRole('link', {name: 'Administration'}).count(), 0);
  assert.equal(await page.getByRole('link', {name: 'Audit'}).count(), 0);
  await page.goto(`${server.base}/#/admin/user-status`);
  await page.getByRole('region', {name: 'People'}).waitFor();
  assert.equal(await page.getByRole('heading', {name: 'User Status'}).count(), 0);
  for (const method of ['admin.presets.create', 'admin.presets.list', 'admin.presence.disable',
    'admin.presence.enable', 'admin.settings.set', 'admin.presence.report']) {
    const answer = await server.slack(method, state.aliceToken, {name: 'X', presence: 'away', user: 'alice', day: '2026-01-01'});
    assert.equal(answer.error, 'not_admin', method);
  }
  const created = await server.rest('POST', 'custom-user-status.create', state.aliceToken, 'alice',
    {customUserStatusData: {name: 'X', statusType: 'away'}});
  assert.equal(created.status, 403);
  assert.equal(created.body.errorType, 'error-not-allowed');
  const connections = await server.rest('GET', 'presence.getConnections', state.aliceToken, 'alice');
  assert.equal(connections.status, 403);
  await shoot(page, 'people-non-admin');
  await context.close();
  await state.admin.close();
});

test('an idle tab goes away after the idle time and input brings it back online', async () => {
  // A workspace idle time of 3 s (activity logged every second) keeps the wait short.
  const idle = await startServer(presenced, ['--idle-timeout', '3', '--activity-log-interval', '1']);
  try {
    const daveToken = await idle.createUser('dave', 'Dave Brubeck');
    const admin = await browser.newContext({viewport: desktop});
    const adminPage = await admin.newPage();
    watch(adminPage, 'idle admin');
    await signIn(adminPage, idle.base, adminToken);
    const daveRow = adminPage.getByRole('region', {name: 'People'}).getByRole('listitem')
      .filter({hasText: 'Dave Brubeck'});

    const dave = await browser.newContext({viewport: desktop});
    const davePage = await dave.newPage();
    watch(davePage, 'dave');
    const tickles = [];
    davePage.on('websocket', (socket) => socket.on('framesent', (frame) => {
      if (JSON.parse(frame.payload).type === 'tickle') tickles.push(Date.now());
    }));
    await signIn(davePage, idle.base, daveToken);
    await daveRow.filter({hasText: 'online'}).waitFor();
    // Events made by a script are not a person's: they report nothing.
    await davePage.evaluate(() => {
      for (const type of ['pointerdown', 'keydown', 'wheel', 'touchstart']) window.dispatchEvent(new Event(type));
    });
    const left = Date.now();
    await daveRow.filter({hasText: 'away'}).waitFor({timeout: 15000});
    figures.idle_tab_away_ms = Date.now() - left;
    assert.deepEqual(tickles, [], 'no tickle without input');

    // A key brings Dave back at once; so does the next one after he went away again, although
    // it comes within the 30 s between reports of ordinary use.
    for (const round of [1, 2]) {
      if (round === 2) await daveRow.filter({hasText: 'away'}).waitFor({timeout: 15000});
      await davePage.getByRole('region', {name: 'People'}).getByRole('listitem')
        .filter({hasText: 'Dave Brubeck'}).filter({hasText: 'away'}).waitFor();
      const pressed = Date.now();
      await davePage.keyboard.press('Shift');
      await daveRow.filter({hasText: 'online'}).waitFor({timeout: 3000});
      figures.input_to_online_ms = Date.now() - pressed;
      assert.equal(tickles.length, round);
    }
    await dave.close();
    await admin.close();
  } finally {
    await idle.stop();
  }
});

test('People shows 2,000 users and renders only the visible rows', async () => {
  const big = await startServer(presenced, ['--rate-limit-per-s', '0']);
  try {
    const ids = Array.from({length: 2000}, (_, i) => `user-${String(i).padStart(4, '0')}`);
    const tokens = new Map();
    for (let i = 0; i < ids.length; i += 50)
      await Promise.all(ids.slice(i, i + 50).map(async (id) => tokens.set(id, await big.createUser(id, `Person ${id.slice(5)}`))));
    const context = await browser.newContext({viewport: desktop});
    const page = await context.newPage();
    watch(page, 'people 2000');
    await page.goto(`${big.base}/`);
    await page.getByLabel('Token').fill(adminToken);
    const started = Date.now();
    await page.getByRole('button', {name: 'Sign in'}).click();
    const people = page.getByRole('region', {name: 'People'});
    await people.getByText('2001 people').waitFor();
    await people.getByRole('listitem').filter({hasText: 'Person 0000'}).waitFor();
    figures.people_2000_ms = Date.now() - started;
    const rendered = await people.getByRole('listitem').count();
    assert.ok(rendered < 60, `${rendered} rows in the page`);
    figures.people_2000_rows_in_dom = rendered;
    await people.getByLabel('Filter by name').fill('Person 1999');
    await people.getByText('1 person').waitFor();
    await people.getByRole('listitem').filter({hasText: 'Person 1999'}).waitFor();
    await people.getByLabel('Filter by name').fill('');
    await people.getByText('2001 people').waitFor();
    await people.getByRole('listitem').filter({hasText: 'Person 0000'}).waitFor();

    // The last row, far outside the rows subscribed around the top, comes online and sets a
    // status; scrolled to, it shows both.
    const far = people.getByRole('listitem').filter({hasText: 'Person 1999'});
    assert.equal(await far.count(), 0);
    const helper = await context.newPage();
    await helper.goto(`${big.base}/healthz`);
    await helper.evaluate(async (token) => {
      const answer = await (await fetch('/api/rtm.connect', {method: 'POST', headers: {Authorization: `Bearer ${token}`}})).json();
      window.socket = new WebSocket(answer.url);
      await new Promise((resolve) => window.socket.addEventListener('message', resolve, {once: true}));
    }, tokens.get('user-1999'));
    const set = await big.slack('users.profile.set', tokens.get('user-1999'),
      {profile: {status_text: 'Far away', status_emoji: ':airplane:'}});
    assert.equal(set.ok, true);
    const scrolled = Date.now();
    await page.locator('.people-scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await far.filter({hasText: 'online'}).filter({hasText: 'Far away'}).waitFor({timeout: 10000});
    figures.people_far_row_ms = Date.now() - scrolled;
    await helper.close();
    await context.close();
  } finally {
    await big.stop();
  }
});

let failed = 0;
try {
  server = await startServer(presenced);
  browser = await chromium.launch({executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']});
  for (const [index, {name, fn}] of tests.entries()) {
    try {
      await fn();
      assert.deepEqual(pageErrors.splice(0), [], 'errors reported by the pages');
      console.log(`ok ${index + 1} - ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`not ok ${index + 1} - ${name}\n${error.stack}`);
      // What each open page showed when the step failed.
      let n = 0;
      for (const context of browser.contexts())
        for (const page of context.pages())
          if (shotDir) await page.screenshot({path: `${shotDir}/failure-${++n}.png`}).catch(() => {});
      break;  // later steps build on earlier ones
    }
  }
} finally {
  await browser?.close();
  if (failed && server) console.log(`--- presenced stderr ---\n${server.stderr().slice(-4000)}`);
  await server?.stop();
}
console.log(`figures ${JSON.stringify(figures)}`);
if (figuresFile) writeFileSync(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
process.exit(failed ? 1 : 0);
