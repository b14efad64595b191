/**
 * Tracking tokens are the customer's capability for one order. Only their sha256 is stored, and
 * comparisons are constant-time, so neither a database leak nor response timing yields a token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export function newTrackingToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex')
  const expected = Buffer.from(storedHash, 'hex')
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** Opaque, URL-safe ids that fit `idSchema`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`
}
