// The UI's string tables: English and Russian have the same keys, every key the code asks for
// exists, and placeholders match between the languages. Runs without a browser or a daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const { en } = await import(path.join(webDir, 'js/strings/en.js'));
const { ru } = await import(path.join(webDir, 'js/strings/ru.js'));

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
}

test('English and Russian have the same keys', () => {
  assert.deepEqual(Object.keys(ru).filter((k) => !(k in en)), [], 'keys only in ru.js');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in ru)), [], 'keys only in en.js');
});

test('placeholders are the same in both languages', () => {
  const names = (text) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
  for (const key of Object.keys(en)) assert.deepEqual(names(ru[key]), names(en[key]), `placeholders of ${key}`);
});

test('every string the code asks for exists', () => {
  const missing = [];
  for (const file of sources(path.join(webDir, 'js'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:t|plural)\('([\w.]+)'/g)) if (!(m[1] in en)) missing.push(`${path.basename(file)}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});

test('every sense and status the API sends has words', () => {
  for (const sense of ['SENSE_SIGHT', 'SENSE_HEARING', 'SENSE_SMELL', 'SENSE_TOUCH', 'SENSE_TASTE']) assert.ok(en[`sense.${sense}`] && ru[`sense.${sense}`], sense);
  for (const status of ['ok', 'drifting', 'out', 'nodata', 'none']) {
    assert.ok(en[`status.${status}`] && ru[`status.${status}`], status);
    assert.ok(en[`status.short.${status}`] && ru[`status.short.${status}`], status);
  }
  for (const quality of ['stale', 'bad', 'offline']) assert.ok(en[`reading.${quality}`] && ru[`reading.${quality}`], quality);
});

test('the UI refers to no other host (everything is served by the daemon)', () => {
  const offenders = [];
  for (const file of [...sources(webDir), path.join(webDir, 'index.html'), path.join(webDir, 'css/app.css')]) {
    const text = fs.readFileSync(file, 'utf8');
    // The SVG namespace is a name, not a request.
    const scrubbed = text.replaceAll('http://www.w3.org/2000/svg', '');
    for (const m of scrubbed.matchAll(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)) offenders.push(`${path.relative(webDir, file)}: ${m[0]}`);
  }
  assert.deepEqual(offenders, []);
});
