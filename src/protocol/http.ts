/**
 * REST answers as every caller reads them (docs/protocol.md): the change log's cursor rule, the
 * ETag of an order version, and the error envelope. Shared by the tab, the hub, the service
 * worker and the server, so each rule is written once. (The answers' schemas: ./answers.ts.)
 */
import type { OrderChange } from './order'

/**
 * Where to read from next: the server's cursor when it is ahead of the last change seen (it may
 * skip entries this caller may not see), otherwise the last change's seq, never behind `after`.
 */
export function nextChangesCursor(after: number, changes: readonly OrderChange[], cursor: unknown): number {
  const lastSeen = changes.reduce((max, change) => Math.max(max, change.seq), after)
  const given = Number(cursor)
  return Number.isFinite(given) && given > lastSeen ? given : lastSeen
}

/** The server's ETag for an order version (`If-None-Match` → 304 when unchanged). */
export const etagOfVersion = (version: number): string => `"v${version}"`

/** An error answer's envelope `{error: {code, message, current?}}`, tolerant of anything else. */
export function readErrorEnvelope(body: unknown, status: number): { code: string; message: string | null; current: unknown } {
  const envelope = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined
  const fields = typeof envelope === 'object' && envelope !== null ? (envelope as Record<string, unknown>) : {}
  return {
    code: typeof fields.code === 'string' ? fields.code : `http_${status}`,
    message: typeof fields.message === 'string' && fields.message ? fields.message : null,
    current: fields.current,
  }
}
