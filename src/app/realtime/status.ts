import type { ConnectionState, HubMode, HubStatus } from '@shared/hubTypes'

/** The status a tab shows before its hub has answered (or for good, when the socket is disabled). */
export function initialStatus(mode: HubMode, state: ConnectionState = mode === 'disabled' ? 'disabled' : 'connecting'): HubStatus {
  return {
    state,
    mode,
    lastEventAt: null,
    tabs: 0,
    rooms: [],
    eventsIn: 0,
    eventsForwarded: 0,
    invalidDropped: 0,
    reconnects: 0,
    admin: false,
    syncEpoch: 0,
    lastError: null,
  }
}
