// PLACEHOLDER — replaced by the hub implementation. Signature is the contract the app relies on.
import type { RealtimeClient } from './types'

export function getRealtimeClient(): RealtimeClient {
  throw new Error('realtime client not implemented yet')
}
