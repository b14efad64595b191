/**
 * Logger options for Fastify's pino. Credentials must never reach a log file: bearer tokens
 * (admin JWTs and tracking tokens alike) ride in `Authorization`, and a client might still put a
 * token in a query string by mistake, so the request serializer drops sensitive query values and
 * redaction covers any headers a future serializer might add.
 */
import type { FastifyServerOptions } from 'fastify'

/**
 * Query keys whose values are logged as sent: the API's own, and Socket.IO's. Everything else is
 * redacted, since a token can hide under any name (the tracking link itself uses `t`).
 */
const LOGGED_QUERY_KEYS = new Set(['status', 'cursor', 'limit', 'after', 'EIO', 'transport'])

/** `/api/x?t=abc&limit=2` → `/api/x?t=[redacted]&limit=2`; unparseable queries are dropped whole. */
function redactUrl(url: string): string {
  const mark = url.indexOf('?')
  if (mark < 0) return url
  const path = url.slice(0, mark)
  try {
    const params = new URLSearchParams(url.slice(mark + 1))
    const parts: string[] = []
    for (const [key, value] of params) {
      const safeKey = encodeURIComponent(key)
      parts.push(LOGGED_QUERY_KEYS.has(key) ? `${safeKey}=${encodeURIComponent(value)}` : `${safeKey}=[redacted]`)
    }
    return parts.length > 0 ? `${path}?${parts.join('&')}` : path
  } catch {
    return `${path}?[redacted]`
  }
}

interface LoggedRequest {
  method: string
  url: string
  hostname?: string
  ip?: string
}

/** `false` keeps logging off (tests); otherwise pino with redaction and token-free URLs. */
export function loggerOptions(enabled: boolean): FastifyServerOptions['logger'] {
  if (!enabled) return false
  return {
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]', 'res.headers["set-cookie"]'],
      censor: '[redacted]',
    },
    serializers: {
      req(request: LoggedRequest) {
        return { method: request.method, url: redactUrl(request.url), host: request.hostname, remoteAddress: request.ip }
      },
    },
  }
}
