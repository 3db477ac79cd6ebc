// The real-time WebSocket: a one-time ticket from rtm.connect (the token never goes in a URL),
// presence_sub for the users on screen, tickle for activity, reconnects with back-off.

import {slack} from './api.js';

export class Rtm {
  constructor() {
    this.listeners = new Map();
    this.socket = null;
    this.ids = [];
    this.stopped = false;
    this.retry = 0;
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
        if (this.ids.length) this.send({type: 'presence_sub', ids: this.ids});
      }
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

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** Replaces the subscription (sent now if connected, else on the next hello). */
  subscribe(ids) {
    const same = ids.length === this.ids.length && ids.every((id, i) => id === this.ids[i]);
    if (same) return;
    this.ids = ids;
    this.send({type: 'presence_sub', ids});
  }

  /** Tells the server the person did something (counts as activity). */
  tickle() {
    this.send({type: 'tickle'});
  }
}
