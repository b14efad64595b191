/**
 * The app's one access point to the realtime hub. `getRealtimeClient()` may throw (no hub in
 * this environment, or a startup failure); the app must still render and fall back to REST,
 * so callers get `null` instead of an exception.
 */
import { getRealtimeClient } from './hubLadder'
import type { RealtimeClient } from '@shared/hubTypes'

let cached: RealtimeClient | null | undefined
let failure: string | null = null

export function safeRealtimeClient(): RealtimeClient | null {
  if (cached !== undefined) return cached
  try {
    cached = getRealtimeClient()
  } catch (error) {
    cached = null
    failure = error instanceof Error ? error.message : String(error)
    console.warn('[orderline] realtime unavailable, running on REST only:', failure)
  }
  return cached
}

/** Why the realtime client could not start, or null. */
export function realtimeFailure(): string | null {
  return failure
}

/** Runs a hub call without letting a rejection escape into the UI. */
export function callRealtime(action: (client: RealtimeClient) => Promise<unknown>): void {
  const client = safeRealtimeClient()
  if (!client) return
  try {
    action(client).catch((error: unknown) => console.warn('[orderline] realtime call failed:', error))
  } catch (error) {
    console.warn('[orderline] realtime call failed:', error)
  }
}

/** Test hook: forget the cached client. */
export function resetRealtimeClientCache(): void {
  cached = undefined
  failure = null
}
