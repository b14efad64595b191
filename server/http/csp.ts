/**
 * The Content-Security-Policy the server sends with the app (and with every API answer, where it
 * costs nothing). Strict by construction: scripts, styles and workers only from this origin, no
 * inline script, no eval, no plugins, no framing. It still lets the app run because the build has
 * no inline script (vite-plugin-pwa `injectRegister: false` bundles the registration), the
 * SharedWorker and the service worker are same-origin files, and Vue's `:style` bindings write
 * through the CSSOM, which CSP does not govern (only parsed `style` attributes are). The one
 * inline `<style>` element of index.html (the shell's stylesheet, inlined by the build so the first
 * paint waits for no other file: scripts/inline-css.ts) is allowed by its hash.
 */
import { createHash } from 'node:crypto'

/** A source, or a function helmet calls per response (the shell's style hashes, which follow the build on disk). */
export type CspSource = string | (() => string)
export type CspDirectives = Record<string, CspSource[]>

/**
 * `'sha256-…'` sources for every `<style>` element of a page, hashed over its exact text as the
 * browser does: the server reads its index.html once at start, so the policy always matches the
 * build it serves.
 */
export function inlineStyleHashes(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    ([, css]) =>
      `'sha256-${createHash('sha256')
        .update(css ?? '', 'utf8')
        .digest('base64')}'`,
  )
}

/** `wss://api.example` for `https://api.example`: sockets to an allowed API origin. */
function socketOrigin(origin: string): string | undefined {
  if (origin.startsWith('https://')) return `wss://${origin.slice('https://'.length)}`
  if (origin.startsWith('http://')) return `ws://${origin.slice('http://'.length)}`
  return undefined
}

/**
 * Parses `CSP_CONNECT_SRC` (the backend origin when the app is built with `VITE_API_URL`):
 * comma- or space-separated http(s) origins. Anything else is an error (a value, turned into a
 * startup refusal by the config), because a typo here would either break the app or silently
 * widen the policy.
 */
export function parseConnectSrc(raw: string | undefined): { origins: string[] } | { error: string } {
  const origins: string[] = []
  for (const entry of (raw ?? '').split(/[\s,]+/).filter(Boolean)) {
    let url: URL | undefined
    try {
      url = new URL(entry)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/+$/, '')) {
      return { error: `CSP_CONNECT_SRC: "${entry}" is not an origin like https://api.example.com` }
    }
    origins.push(url.origin)
  }
  return { origins }
}

/**
 * `'self'` covers same-origin `ws:`/`wss:` in CSP Level 3 browsers; each extra API origin is
 * allowed for fetch and for its WebSocket twin.
 */
export function cspDirectives(connectSrc: readonly string[], styleHashes: readonly CspSource[] = []): CspDirectives {
  const extra = connectSrc.flatMap((origin) => [origin, socketOrigin(origin)].filter((o): o is string => o !== undefined))
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'", ...styleHashes],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...extra],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  }
}
