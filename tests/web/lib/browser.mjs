// Debian's chromium driven by playwright-core (no browser download): a fresh profile per run,
// console errors collected so a test can assert there were none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (error) {
  throw new Error(`playwright-core is not installed: run \`npm ci --prefix tests/web\` (${error.message})`);
}

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export async function launch({ width = 1024, height = 768 } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM_BIN)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'atmo-web-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
    viewport: { width, height },
    timeout: 30000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const problems = [];
  const requests = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push({ text: message.text(), url: message.location()?.url ?? '' });
  });
  page.on('pageerror', (error) => problems.push({ text: `uncaught: ${error.message}`, url: '' }));
  page.on('request', (request) => requests.push(request.url()));
  return {
    context,
    page,
    problems,
    requests,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactDir() {
  const dir = process.env.ATMO_ARTIFACT_DIR || path.join(os.tmpdir(), 'atmo-web-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page, name, options = {}) {
  const file = path.join(artifactDir(), `${name}.png`);
  await page.screenshot({ path: file, ...options });
  console.log(`screenshot: ${file}`);
  return file;
}
