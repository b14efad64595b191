/**
 * The hub's gate for server events: every payload is parsed with the protocol's answer schemas
 * (src/protocol/answers.ts, the contract the server's tests hold it to) before it is counted as
 * forwarded; anything else is dropped, never thrown, so a bad event from another build or a bug
 * cannot break the tabs.
 */
import * as v from 'valibot'
import { notificationSchema, orderChangeSchema, statsSchema, type ServerEvent } from '../protocol'

/** Returns the typed event, or null when the name is unknown or the payload does not match. */
export function parseServerEvent(name: string, payload: unknown): ServerEvent | null {
  switch (name) {
    case 'newOrder':
    case 'orderUpdated': {
      const parsed = v.safeParse(orderChangeSchema, payload)
      return parsed.success ? { type: name, payload: parsed.output } : null
    }
    case 'statsUpdated': {
      const parsed = v.safeParse(statsSchema, payload)
      return parsed.success ? { type: name, payload: parsed.output } : null
    }
    case 'notification': {
      const parsed = v.safeParse(notificationSchema, payload)
      return parsed.success ? { type: name, payload: parsed.output } : null
    }
    default:
      return null
  }
}
