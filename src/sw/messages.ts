/**
 * Messages windows send to the service worker, validated before use. The contract itself lives
 * in src/shared/swProtocol.ts, shared with the windows that send it.
 */
export { parseSwMessage, type SwMessage } from '../shared/swProtocol'
import { parseSwMessage } from '../shared/swProtocol'

export function isSwMessage(data: unknown): boolean {
  return parseSwMessage(data) !== null
}
