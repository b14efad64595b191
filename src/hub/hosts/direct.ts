/**
 * A hub hosted by the page itself (no SharedWorker). Loaded lazily by the direct transport, so
 * its socket.io-client stays out of the main chunk.
 */
import { config } from '../../config'
import type { HubApi } from '../../shared/hubApi'
import { Hub } from '../hub'
import { createHubApi } from '../createHubApi'
import { socketIoFactory } from '../socketIo'

export function createDirectHub(): { api: HubApi; stop: () => void } {
  const hub = new Hub({
    mode: 'direct',
    createSocket: config.enableSocket ? socketIoFactory(config.apiUrl || location.origin) : null,
    pollIntervalMs: config.pollIntervalMs,
    isOnline: () => navigator.onLine !== false,
  })
  hub.start()
  // The hub is in this page: no lock is needed to learn that the page died.
  return { api: createHubApi(hub, { build: config.buildId }), stop: () => hub.stop() }
}
