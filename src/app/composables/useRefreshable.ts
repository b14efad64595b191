/**
 * "Refresh now": views register how to reload what they show; the connection badge's refresh
 * button runs them all, and asks the hub for an immediate poll when it offers one.
 */
import { onScopeDispose } from 'vue'
import { loadedRealtimeClient } from '../realtime/realtimeAccess'

type Refresher = () => Promise<unknown>
const refreshers = new Set<Refresher>()

/** Registers a refresher while the calling component lives. */
export function useRefreshable(refresh: Refresher): void {
  refreshers.add(refresh)
  onScopeDispose(() => refreshers.delete(refresh))
}

/** Hub call added by the hub's poll driver, when present (feature-detected, not required). */
interface PollNow {
  pollNow(): Promise<unknown>
}

function hasPollNow(value: unknown): value is PollNow {
  return typeof (value as Partial<PollNow> | null)?.pollNow === 'function'
}

/** Fetches now: every registered view reloads, and the hub polls at once if it can. */
export async function refreshNow(): Promise<void> {
  const client = loadedRealtimeClient()
  if (hasPollNow(client)) void client.pollNow().catch(() => undefined)
  await Promise.allSettled([...refreshers].map((refresh) => refresh()))
}
