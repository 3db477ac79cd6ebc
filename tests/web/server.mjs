// Starts the real presenced on 127.0.0.1:0 with a temporary data directory and waits for its
// `listening on http://HOST:PORT` line (no sleeps); calls its Web API for test setup.
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';

export const adminToken = 'console-test-admin-token-0123456789';

export async function startServer(presenced, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'presence-console-'));
  // PRESENCE_WEB_DIR=web: the console from the folder (editing it needs no rebuild).
  const web = process.env.PRESENCE_WEB_DIR ? ['--web-dir', process.env.PRESENCE_WEB_DIR] : [];
  const child = spawn(presenced, ['--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0',
    '--admin-token', adminToken, ...web, ...extra], {stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines = createInterface({input: child.stdout});
  const base = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`presenced exited with ${code}:\n${stderr}`)));
    lines.once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`unexpected stdout line: ${line}`));
    });
  });
  return {
    base,
    stderr: () => stderr,
    /** POST /api/<method> with a JSON body; returns the answer (ok or not). */
    async slack(method, token, params = {}) {
      const response = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: {'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json'},
        body: JSON.stringify(params),
      });
      return response.json();
    },
    /** REST call; returns {status, body}. */
    async rest(verb, endpoint, token, user, params = {}) {
      const init = {method: verb, headers: {'X-Auth-Token': token, 'X-User-Id': user}};
      if (verb !== 'GET') {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(params);
      }
      const response = await fetch(`${base}/api/v1/${endpoint}`, init);
      return {status: response.status, body: await response.json()};
    },
    /** Creates a user; returns its token. */
    async createUser(id, name = id, admin = false) {
      const answer = await this.slack('admin.users.create', adminToken, {id, name, admin});
      if (!answer.ok) throw new Error(`admin.users.create ${id}: ${JSON.stringify(answer)}`);
      return answer.token;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
}
