// The server's public APIs as the console uses them: the Slack-compatible Web API (/api/<method>)
// and the Rocket.Chat-compatible REST API (/api/v1/<endpoint>). The token travels in headers only.

const tokenKey = 'presence.token';

/** Who is signed in (filled by signIn / resume). */
export const session = {token: '', user: '', name: '', isAdmin: false};

/** A refused call: `code` is the API's error code, `detail` its human-readable message. */
export class ApiError extends Error {
  constructor(code, detail = '', status = 200) {
    super(detail || code);
    this.code = code;
    this.detail = detail;
    this.status = status;
  }
}

async function send(url, init) {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, {...init, credentials: 'omit', cache: 'no-store'});
    if (response.status === 429 && attempt < 2) {
      const seconds = Number(response.headers.get('Retry-After')) || 1;
      await new Promise((resolve) => setTimeout(resolve, Math.min(seconds, 10) * 1000));
      continue;
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      throw new ApiError('invalid_response', `HTTP ${response.status}`, response.status);
    }
    return {response, body};
  }
}

/** Calls a Web API method; resolves with its answer, rejects with ApiError when `ok` is false. */
export async function slack(method, params = {}) {
  const {response, body} = await send(`/api/${method}`, {
    method: 'POST',
    headers: {'Authorization': `Bearer ${session.token}`, 'Content-Type': 'application/json'},
    body: JSON.stringify(params),
  });
  if (!body || body.ok !== true) {
    const detail = body?.response_metadata?.messages?.[0] ?? '';
    throw new ApiError(body?.error ?? 'unknown_error', detail, response.status);
  }
  return body;
}

/** Calls a REST endpoint (GET with a query, POST with a JSON body); rejects with ApiError. */
export async function rest(verb, endpoint, params = {}) {
  const headers = {'X-Auth-Token': session.token, 'X-User-Id': session.user};
  let url = `/api/v1/${endpoint}`;
  const init = {method: verb, headers};
  if (verb === 'GET') {
    const query = new URLSearchParams(params).toString();
    if (query) url += `?${query}`;
  } else {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(params);
  }
  const {response, body} = await send(url, init);
  if (!body || body.success !== true)
    throw new ApiError(body?.errorType ?? `http_${response.status}`, body?.error ?? '', response.status);
  return body;
}

/** Checks `token` with auth.test and keeps it for this tab (sessionStorage, never a cookie). */
export async function signIn(token) {
  session.token = token;
  try {
    const who = await slack('auth.test');
    session.user = who.user_id;
    session.name = who.user;
    session.isAdmin = who.is_admin === true;
    sessionStorage.setItem(tokenKey, token);
    return who;
  } catch (error) {
    session.token = '';
    throw error;
  }
}

/** Signs in again with the token this tab kept, if any; resolves false when there is none. */
export async function resume() {
  const token = sessionStorage.getItem(tokenKey);
  if (!token) return false;
  try {
    await signIn(token);
    return true;
  } catch {
    sessionStorage.removeItem(tokenKey);
    return false;
  }
}

export function signOut() {
  sessionStorage.removeItem(tokenKey);
  Object.assign(session, {token: '', user: '', name: '', isAdmin: false});
}

/** Every user, page by page (users.list with include_presence). */
export async function listUsers() {
  const users = [];
  let cursor = '';
  do {
    const page = await slack('users.list', {limit: 1000, include_presence: true, cursor});
    users.push(...page.members);
    cursor = page.response_metadata?.next_cursor ?? '';
  } while (cursor);
  return users;
}

/** Every custom status (Rocket.Chat list: readable by every user). */
export async function listCustomStatuses() {
  const body = await rest('GET', 'custom-user-status.list', {count: 0});
  return body.statuses.map((s) => ({id: s._id, name: s.name, presence: s.statusType}));
}

/** Human words for a presence value. */
export const presenceWords = {
  online: 'online', away: 'away', busy: 'busy', offline: 'offline', disabled: 'disabled',
};

/** Why the service is off, in words, from the server's reason code. */
export function reasonText(reason) {
  if (reason === 'connection_limit') return 'the workspace exceeded its connection limit';
  if (reason === 'admin') return 'turned off by an administrator';
  return reason ? reason.replaceAll('_', ' ') : 'the reason was not given';
}
