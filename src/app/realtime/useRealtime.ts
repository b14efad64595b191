/**
 * The realtime client as Vue state, in the vueuse shape: options in, refs out, cleanup on scope
 * dispose. Stores may use `getRealtimeClient()` directly; this is the convenience for components.
 */
import { computed, getCurrentScope, onScopeDispose, shallowRef, type ComputedRef, type Ref } from 'vue'
import { getRealtimeClient } from './client'
import { initialStatus } from './status'
import type { ConnectionState, HubMode, HubStatus, RealtimeClient } from '../../shared/hubTypes'

export interface UseRealtimeOptions {
  /** Defaults to this tab's singleton. */
  client?: RealtimeClient
}

export interface UseRealtimeReturn {
  status: Readonly<Ref<HubStatus>>
  state: ComputedRef<ConnectionState>
  mode: HubMode
  client: RealtimeClient
  /** Whether this browser can share one connection between tabs (SharedWorker). */
  isSupported: boolean
}

export function useRealtime(options: UseRealtimeOptions = {}): UseRealtimeReturn {
  const client = options.client ?? getRealtimeClient()
  // onStatus calls back at once with the current status, so the placeholder never shows.
  const status = shallowRef<HubStatus>(initialStatus(client.mode))
  const stop = client.onStatus((next) => {
    status.value = next
  })
  if (getCurrentScope()) onScopeDispose(stop)
  return {
    status,
    state: computed(() => status.value.state),
    mode: client.mode,
    client,
    isSupported: typeof SharedWorker !== 'undefined',
  }
}
