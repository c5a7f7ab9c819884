// First run against the real daemon: `atmo serve` with no users asks for the administrator,
// the UI creates it and logs in; devices that do not answer show as offline, never as values;
// when the daemon goes away the UI says "reconnecting…" and recovers by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServe } from './lib/daemon.mjs';
import { launch, screenshot } from './lib/browser.mjs';

let daemon, browser, page;

before(async () => {
  daemon = await startServe({ log: (m) => console.log(m) });
  browser = await launch({ width: 1024, height: 768 });
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await daemon?.stop();
});

test('first run shows the setup screen and creates the administrator', async () => {
  const state = await (await fetch(`${daemon.base}/api/v1/setup`)).json();
  assert.equal(state.needed, true);
  await page.goto(daemon.base + '/');
  await page.waitForSelector('#setup', { timeout: 15000 });
  await screenshot(page, 'setup-1024x768');
  await page.fill('#setup-user', 'anna');
  await page.fill('#setup-name', 'Anna K.');
  await page.fill('#setup-secret', '4839');
  await page.fill('#setup-again', '4830');
  await page.click('[data-action="setup"]');
  assert.match(await page.textContent('#setup .error'), /differ/);
  await page.fill('#setup-again', '4839');
  await page.click('[data-action="setup"]');
  await page.waitForSelector('.zone-card', { timeout: 15000 });
  assert.equal((await (await fetch(`${daemon.base}/api/v1/setup`)).json()).needed, false);
});

test('readings of devices that do not answer are marked, not shown as values', async () => {
  // No simulator behind this venue's buses: after the first failed polls the devices go offline.
  await page.waitForFunction(() => document.querySelectorAll('.zone-card .readings dd.value-offline, .zone-card .readings dd.value-none').length > 0,
    null, { timeout: 20000 });
  const good = await page.$$eval('.zone-card .readings dd', (els) => els.filter((e) => !e.className).length);
  assert.equal(good, 0, 'no reading may look like a good value when no device answers');
  // One alarm per silent device: the list folds after a few so the journey stays in view.
  await page.waitForFunction(() => document.querySelectorAll('.alarm').length > 0, null, { timeout: 15000 });
  const alarmsShown = await page.$$eval('.alarm', (els) => els.length);
  const active = (await page.evaluate(async () => (await (await fetch('/api/v1/alarms')).json()).alarms.filter((a) => a.kind !== 'fire').length));
  if (active > 4) {
    assert.equal(alarmsShown, 3);
    assert.match(await page.textContent('[data-action="more-alarms"]'), new RegExp(`${active - 3}`));
  }
  const journeyTop = await page.$eval('.journey', (el) => el.getBoundingClientRect().top);
  assert.ok(journeyTop < 768, `the journey starts at ${journeyTop} px, below the first screen`);
  await screenshot(page, 'home-offline-1024x768');
});

test('shows "reconnecting…" while the daemon is down and recovers when it returns', async () => {
  await page.waitForFunction(() => document.querySelector('.connection')?.hidden === true);
  await daemon.stop({ keepState: true });
  await page.waitForSelector('.connection:not([hidden])', { timeout: 15000 });
  assert.match(await page.textContent('.connection'), /reconnecting/i);
  await screenshot(page, 'reconnecting-1024x768');
  // Same port, same state dir: the administrator still exists.
  daemon = await startServe({ port: daemon.port, stateDir: daemon.stateDir, log: (m) => console.log(m) });
  // Either the session survived the restart (the banner goes away) or it did not (login screen).
  await page.waitForFunction(() => document.querySelector('#login') || document.querySelector('.connection')?.hidden === true,
    null, { timeout: 45000 });
  if (await page.$('#login')) {
    await page.fill('#login-user', 'anna');
    for (const digit of '4839') await page.click(`.keypad [data-key="${digit}"]`);
    await page.click('[data-action="login"]');
    await page.waitForSelector('.zone-card', { timeout: 15000 });
  }
  assert.equal(await page.$('.connection:not([hidden])'), null);
});
