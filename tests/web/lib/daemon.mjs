// Starts the real `atmo demo` (embedded demo venue + in-process simulator + API + tablet UI) on a
// free port with a throw-away state dir, waits until it answers, and stops it again.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function atmoBinary() {
  const bin = process.env.ATMO_BIN;
  if (!bin) throw new Error('ATMO_BIN is not set: run through ctest, or ATMO_BIN=/path/to/atmo node --test tests/web');
  if (!fs.existsSync(bin)) throw new Error(`ATMO_BIN=${bin} does not exist: build the atmo target first`);
  return bin;
}

function sourceDir() {
  return process.env.ATMO_SOURCE_DIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
}

// A port from tests/free_port.py: below the ephemeral range and from the counter every test process
// shares (a port found by listening on 0 may soon be some other test's outgoing source port).
async function freePort() {
  const testsDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const out = execFileSync('/usr/bin/python3',
    ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); from free_port import free_port; print(free_port())', testsDir]);
  return Number(String(out).trim());
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function startDemo(options = {}) {
  return startDaemon({ ...options, mode: 'demo' });
}

// `atmo serve` of the demo venue file with no users yet (first run); its devices are not
// simulated, so they show as offline.
export function startServe(options = {}) {
  return startDaemon({ ...options, mode: 'serve' });
}

// The venue time the daemon starts at (`--clock`): pinned, so no outcome depends on the hour the
// suite runs; ATMO_TEST_CLOCK moves it (the `clock` ctest job), a test that needs a day part passes its own.
export const DEFAULT_TEST_CLOCK = '2027-03-24T10:00:00'; // a Wednesday, the weekday program's "day"

async function startDaemon({ mode, log = () => {}, port: fixedPort, stateDir: fixedStateDir, clock }) {
  const bin = atmoBinary();
  const port = fixedPort ?? await freePort();
  const stateDir = fixedStateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'atmo-web-test-'));
  const args = mode === 'demo'
    ? ['demo', '--port', String(port), '--state-dir', stateDir, '--no-audio', '--history-days', '0']
    : ['serve', '--config', path.join(sourceDir(), 'config/venues/demo.yaml'), '--listen', `127.0.0.1:${port}`,
       '--state-dir', stateDir, '--no-audio'];
  args.push('--clock', clock ?? (process.env.ATMO_TEST_CLOCK || DEFAULT_TEST_CLOCK));
  if (process.env.ATMO_WEB_DIR) args.push('--web-dir', process.env.ATMO_WEB_DIR);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk) => { output += chunk.toString(); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  for (;;) {
    if (exited) throw new Error(`atmo demo exited early (${JSON.stringify(exited)}):\n${output}`);
    try {
      const response = await fetch(`${base}/api/v1/setup`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`atmo ${mode} did not answer on ${base} within 20 s:\n${output}`); }
    await sleep(100);
  }
  log(`atmo ${mode} on ${base}, state in ${stateDir}`);

  return {
    base,
    port,
    stateDir,
    output: () => output,
    // The simulated bus `id` listens on this port (the demo logs it at start).
    busPort(id) {
      const m = new RegExp(`simulator: bus ${id} on 127\\.0\\.0\\.1:(\\d+)`).exec(output);
      if (!m) throw new Error(`the demo did not log where bus ${id} is served:\n${output}`);
      return Number(m[1]);
    },
    // keepState: leave the state dir for a restart on the same port.
    async stop({ keepState = false } = {}) {
      if (!exited) {
        child.kill('SIGTERM');
        const until = Date.now() + 10000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) child.kill('SIGKILL');
      }
      if (!keepState) fs.rmSync(stateDir, { recursive: true, force: true });
      return exited;
    },
  };
}

// Reads one holding register of a simulated device straight off its Modbus TCP server (function
// 3, a dozen bytes each way), independent of the daemon's own polling and of atmo's Modbus code.
// Returns the engineering value raw * scale.
export function readHolding(busPort, unit, address, scale = 1) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(busPort, '127.0.0.1');
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`Modbus read of unit ${unit} timed out`)); }, 5000);
    let reply = Buffer.alloc(0);
    socket.on('connect', () => {
      const request = Buffer.alloc(12);
      request.writeUInt16BE(1, 0);        // transaction id
      request.writeUInt16BE(0, 2);        // protocol: Modbus
      request.writeUInt16BE(6, 4);        // bytes that follow
      request.writeUInt8(unit, 6);
      request.writeUInt8(3, 7);           // read holding registers
      request.writeUInt16BE(address, 8);
      request.writeUInt16BE(1, 10);       // one register
      socket.write(request);
    });
    socket.on('data', (chunk) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length < 9) return;
      clearTimeout(timer);
      socket.end();
      const fn = reply.readUInt8(7);
      if (fn !== 3) { reject(new Error(`unit ${unit} answered Modbus exception ${reply.readUInt8(8)}`)); return; }
      if (reply.length < 11) { reject(new Error('short Modbus reply')); return; }
      resolve(reply.readUInt16BE(9) * scale);
    });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
  });
}

// A logged-in API session for set-up and checks (same origin as the UI, as the API demands).
export async function apiLogin(base, username, secret) {
  const response = await fetch(`${base}/api/v1/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Origin: base },
    body: JSON.stringify({ username, secret }),
  });
  if (!response.ok) throw new Error(`login as ${username}: HTTP ${response.status} ${await response.text()}`);
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  return {
    async get(p) {
      const r = await fetch(`${base}/api/v1${p}`, { headers: { Cookie: cookie } });
      if (!r.ok) throw new Error(`GET ${p}: HTTP ${r.status} ${await r.text()}`);
      return r.json();
    },
    async post(p, body) {
      const r = await fetch(`${base}/api/v1${p}`, { method: 'POST', headers: { Cookie: cookie, Origin: base, 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
  };
}
