// The real-time WebSocket: a one-time ticket from rtm.connect (the token never goes in a URL),
// presence_sub for the users on screen (and always the signed-in user, whose auto-away the page
// follows), tickle for activity, reconnects with back-off.

import {slack} from './api.js';

export class Rtm {
  /** `self`: the signed-in user's id, always in the subscription. */
  constructor(self) {
    this.listeners = new Map();
    this.socket = null;
    this.self = self;
    this.ids = [];
    this.stopped = false;
    this.retry = 0;
    // The newest presence_change and user_status_changed frame of each user, and when it came:
    // a view that starts listening later still knows what it missed.
    this.heard = new Map();
  }

  /** Calls `fn(frame)` for each frame of `type` (or every frame for '*'). */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }

  off(type, fn) {
    const list = this.listeners.get(type) ?? [];
    const index = list.indexOf(fn);
    if (index >= 0) list.splice(index, 1);
  }

  emit(type, frame) {
    for (const fn of this.listeners.get(type) ?? []) fn(frame);
    for (const fn of this.listeners.get('*') ?? []) fn(frame);
  }

  async start() {
    this.stopped = false;
    let url;
    try {
      const answer = await slack('rtm.connect', {batch_presence_aware: 1});
      // Same origin as the page (the server's own URL may name another host behind a proxy).
      const ticket = new URL(answer.url).searchParams.get('ticket');
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      url = `${scheme}://${location.host}/rtm?ticket=${encodeURIComponent(ticket)}`;
    } catch (error) {
      this.emit('connection', {type: 'connection', open: false, error});
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'hello') {
        this.retry = 0;
        this.emit('connection', {type: 'connection', open: true});
        this.send({type: 'presence_sub', ids: this.subscribed()});
      }
      this.remember(frame);
      this.emit(frame.type, frame);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.emit('connection', {type: 'connection', open: false});
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = Math.min(30000, 500 * 2 ** this.retry);
    this.retry += 1;
    setTimeout(() => {
      if (!this.stopped && !this.socket) this.start();
    }, delay);
  }

  stop() {
    this.stopped = true;
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
  }

  remember(frame) {
    const at = Date.now();
    if (frame.type === 'presence_change')
      for (const id of frame.users ?? [frame.user]) this.heard.set(`presence ${id}`, {frame, at});
    else if (frame.type === 'user_status_changed' && frame.user?.id)
      this.heard.set(`status ${frame.user.id}`, {frame, at});
  }

  /** The newest frame about `id` of `kind` ('presence' or 'status') as {frame, at}, if any. */
  lastHeard(kind, id) {
    return this.heard.get(`${kind} ${id}`);
  }

  /** Sends `frame` if the socket is open; returns whether it was sent. */
  send(frame) {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** The ids sent in presence_sub: the view's, and the signed-in user's. */
  subscribed() {
    return this.ids.includes(this.self) ? this.ids : [this.self, ...this.ids];
  }

  /** Replaces the subscription (sent now if connected, else on the next hello). */
  subscribe(ids) {
    const same = ids.length === this.ids.length && ids.every((id, i) => id === this.ids[i]);
    if (same) return;
    this.ids = ids;
    this.send({type: 'presence_sub', ids: this.subscribed()});
  }

  /** Tells the server the person did something (counts as activity); returns whether it went. */
  tickle() {
    return this.send({type: 'tickle'});
  }
}
