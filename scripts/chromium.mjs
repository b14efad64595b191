// Finds a Chromium for the browser tests. Playwright cannot download its own browser on
// machines without internet, so we use the system one (Debian's `chromium` package).
import { existsSync } from 'node:fs'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null
  return CANDIDATES.find((candidate) => existsSync(candidate)) ?? null
}

export const CHROMIUM_HELP = `No Chromium found for the browser tests. Either:
  - install Debian's package:      sudo apt-get install -y chromium
  - point at one you have:        CHROMIUM_PATH=/path/to/chrome npm test
  - or, with internet access:     npx playwright install chromium  (then CHROMIUM_PATH=<its path>)`
