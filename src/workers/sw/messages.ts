/**
 * Messages windows (and the hub) send to the service worker. One union, so the next concerns
 * (fallback poll tick, outbox flush, cache purge on logout) slot in as new members.
 */
export type SwMessage = { type: 'SKIP_WAITING' }

export function isSwMessage(data: unknown): data is SwMessage {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING'
}
