/**
 * Same-origin is judged by comparing the Origin's host with the Host header the request came in
 * on, so the check needs no knowledge of the public URL behind a proxy. That Host has already
 * passed the ALLOWED_HOSTS list (server/http/edge.ts): a re-pointed name cannot pass as same-origin.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (!origin) return true
  if (allowedOrigins.includes(origin)) return true
  try {
    return host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}
