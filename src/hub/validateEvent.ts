/**
 * The hub's gate for server events: every payload is parsed with the protocol schemas (the same
 * zod code the server uses) before it is counted as forwarded; anything else is dropped, never
 * thrown, so a bad event from another build or a bug cannot break the tabs.
 */
import { notificationSchema, orderChangeSchema, statsSchema, type ServerEvent } from '../protocol'

/** Returns the typed event, or null when the name is unknown or the payload does not match. */
export function parseServerEvent(name: string, payload: unknown): ServerEvent | null {
  switch (name) {
    case 'newOrder':
    case 'orderUpdated': {
      const parsed = orderChangeSchema.safeParse(payload)
      return parsed.success ? { type: name, payload: parsed.data } : null
    }
    case 'statsUpdated': {
      const parsed = statsSchema.safeParse(payload)
      return parsed.success ? { type: name, payload: parsed.data } : null
    }
    case 'notification': {
      const parsed = notificationSchema.safeParse(payload)
      return parsed.success ? { type: name, payload: parsed.data } : null
    }
    default:
      return null
  }
}
