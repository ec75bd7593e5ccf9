// Finds Chromium for the browser suites; on a fresh Debian machine (as root) installs it from
// Debian's packages. Never lets a tool download a browser of its own.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function ensureChromium() {
  const path = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  if (process.getuid?.() === 0) {
    console.log('Chromium not found: installing it from Debian packages…');
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium',
      { stdio: 'inherit' },
    );
    if (existsSync(path)) return path;
  }
  throw new Error(
    `Chromium not found at ${path}. Install Debian's chromium package or set CHROME_PATH.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureChromium());
