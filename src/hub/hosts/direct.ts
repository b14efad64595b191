/**
 * A hub hosted by the page itself (no SharedWorker, no leader election). Loaded lazily by the
 * direct transport, so its socket.io-client stays out of the main chunk.
 */
import type { HubApi } from '@shared/hubApi'
import { createHostedHub } from './createHostedHub'

export function createDirectHub(): { api: HubApi; stop: () => void } {
  // The hub is in this page: no lock is needed to learn that the page died.
  const { hub, api } = createHostedHub({
    mode: 'direct',
    origin: location.origin,
    isOnline: () => navigator.onLine !== false,
  })
  return { api, stop: () => hub.stop() }
}
