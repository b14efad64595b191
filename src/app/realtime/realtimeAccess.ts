/**
 * The app's one access point to the realtime hub.
 *
 * The client (hubClient, the transports, Comlink, the leader election) is a chunk of its own,
 * loaded by `startRealtime()` once the first screen's content is on screen, not a static import:
 * a customer's first visit paints the order without downloading or parsing it first
 * (docs/decisions.md, "First visit on a phone"). Until it has loaded, calls made through
 * `callRealtime`/`withRealtime` wait in order and run the moment it is there; once loaded they
 * run at once, as before.
 *
 * No hub in this environment, or a start-up failure: the app must still render and fall back to
 * REST, so callers get `null` instead of an exception, and `realtimeUnavailable` turns true.
 */
import { shallowRef } from 'vue'
import type { RealtimeClient } from '@shared/hubTypes'
import { firstContentShown } from '../firstContent'

let client: RealtimeClient | null = null
let failure: string | null = null
let loading: Promise<RealtimeClient | null> | null = null
/** Calls made before the client loaded, run in the order they were made. */
let waiting: Array<(client: RealtimeClient | null) => void> = []

/** True once the realtime client could not start at all (views then refresh by REST). */
export const realtimeUnavailable = shallowRef(false)

function settle(loaded: RealtimeClient | null): RealtimeClient | null {
  client = loaded
  realtimeUnavailable.value = loaded === null
  // Drained here, synchronously, before anyone can call in directly: the order of calls holds
  // (credentials before the watches they allow).
  const queued = waiting
  waiting = []
  for (const run of queued) run(loaded)
  return loaded
}

function fail(error: unknown): null {
  failure = error instanceof Error ? error.message : String(error)
  console.warn('[orderline] realtime unavailable, running on REST only:', failure)
  settle(null)
  return null
}

/** Loads and starts this tab's realtime client once; resolves to it, or null when it cannot run. */
export function startRealtime(): Promise<RealtimeClient | null> {
  // Requested once the first screen's content is on screen (src/app/firstContent.ts: on a first
  // visit the order's status shows before the hub's client downloads and runs), then from a task
  // of its own, whoever asks first: starting a chunk's download is main-thread work (Vite's
  // preload helper adds its links).
  loading ??= firstContentShown
    .then(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
    .then(() => import('./hubLadder'))
    .then(
      ({ getRealtimeClient }) => {
        try {
          return settle(getRealtimeClient())
        } catch (error) {
          return fail(error)
        }
      },
      (error: unknown) => fail(error),
    )
  return loading
}

/** The client when it has loaded and started; null before, or when it cannot run. */
export function loadedRealtimeClient(): RealtimeClient | null {
  return client
}

/** Why the realtime client could not start, or null. */
export function realtimeFailure(): string | null {
  return failure
}

/**
 * Runs `action` with the client: now when it has loaded, else the moment it has (in call order);
 * never when it cannot run. Resolves to the action's result, or undefined without a client.
 */
export function withRealtime<T>(action: (client: RealtimeClient) => Promise<T>): Promise<T | undefined> {
  if (client) return action(client)
  if (realtimeUnavailable.value) return Promise.resolve(undefined)
  void startRealtime()
  return new Promise<T | undefined>((resolve, reject) => {
    waiting.push((loaded) => {
      if (!loaded) return resolve(undefined)
      try {
        action(loaded).then(resolve, reject)
      } catch (error) {
        reject(error)
      }
    })
  })
}

/** Runs a hub call without letting a rejection escape into the UI. */
export function callRealtime(action: (client: RealtimeClient) => Promise<unknown>): void {
  try {
    withRealtime(action).catch((error: unknown) => console.warn('[orderline] realtime call failed:', error))
  } catch (error) {
    console.warn('[orderline] realtime call failed:', error)
  }
}

/** Test hook: forget the client, so the next call loads it again. */
export function resetRealtimeClientCache(): void {
  client = null
  failure = null
  loading = null
  waiting = []
  realtimeUnavailable.value = false
}
