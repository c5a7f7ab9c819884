// The live stream: one WebSocket at /api/v1/ws that reconnects by itself with exponential backoff
// (1 s doubling to 30 s, with jitter so many tablets do not reconnect in step). After every
// reconnect the caller re-reads the full state, because messages sent while down are gone.

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// A server that says nothing for this long is treated as gone (readings arrive every second or two).
const SILENCE_MS = 60000;

export class LiveSocket {
  constructor({ onMessage, onState }) {
    this.onMessage = onMessage;
    this.onState = onState;       // 'connecting' | 'open' | 'reconnecting' | 'closed'
    this.socket = null;
    this.delay = MIN_DELAY_MS;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.stopped = true;
    this.everOpened = false;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.everOpened = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close(1000);
      this.socket = null;
    }
    this.onState('closed');
  }

  connect() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
    this.onState(this.everOpened ? 'reconnecting' : 'connecting');
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.delay = MIN_DELAY_MS;
      this.everOpened = true;
      this.armSilence();
      this.onState('open');
    };
    socket.onmessage = (event) => {
      this.armSilence();
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      this.onMessage(message);
    };
    socket.onclose = () => {
      clearTimeout(this.silenceTimer);
      this.socket = null;
      if (!this.stopped) this.scheduleRetry();
    };
    socket.onerror = () => { /* onclose follows and retries */ };
  }

  armSilence() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.socket?.close(), SILENCE_MS);
  }

  scheduleRetry() {
    this.onState('reconnecting');
    const wait = this.delay * (0.75 + Math.random() * 0.5);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { if (!this.stopped) this.connect(); }, wait);
  }
}
