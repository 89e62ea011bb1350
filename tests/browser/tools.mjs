// tools.mjs - what every browser check starts with: playwright-core and
// axe-core from tests/browser/node_modules (make deps-test) and the
// system's Chromium. Without them the check prints one SKIP line and the
// process ends with status 0, so `make check` passes on a machine without
// a browser. pass/fail print the lines the test runner counts.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

export function browserTools(name) {
  let playwright, axeSource;
  try {
    playwright = require('playwright-core');
    axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  } catch (e) {
    console.log(`SKIP ${name}: playwright-core/axe-core not installed (make deps-test)`);
    process.exit(0);
  }
  const exe = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome'].find((c) => c && existsSync(c));
  if (!exe) {
    console.log(`SKIP ${name}: chromium is not installed (make deps-test)`);
    process.exit(0);
  }
  return {
    playwright,
    axeSource,
    exe,
    pass: (what) => console.log(`PASS ${name}: ${what}`),
    fail: (what, why) => console.log(`FAIL ${name}: ${what}: ${why}`),
  };
}
