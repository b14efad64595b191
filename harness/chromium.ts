/**
 * Flags this machine's Chromium needs (no sandbox as root, no background network), shared by the
 * browser tests (playwright.config.ts) and the benchmarks (bench/lib/browser.ts).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
