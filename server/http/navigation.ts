/** Which requests the app's shell answers (the SPA fallback) and which are the server's own. */

/** Paths that belong to the API and operations: never answered with the app shell. */
const RESERVED = [/^\/api(\/|$)/, /^\/socket\.io(\/|$)/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/__test__(\/|$)/]

export function isReserved(path: string): boolean {
  return RESERVED.some((pattern) => pattern.test(path))
}

/**
 * A browser opening a page of the app (not a script's fetch, not the API): answered with the
 * app's shell, which routes it. Path without its query.
 */
export function isAppNavigation(method: string, accept: string | undefined, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (accept ?? '').includes('text/html') && !isReserved(path)
}
