/**
 * Messages windows send to the service worker, validated before use. The contract itself lives
 * in src/offline/swProtocol.ts, shared with the windows that send it.
 */
export { parseSwMessage, type SwMessage } from '../../offline/swProtocol'
import { parseSwMessage } from '../../offline/swProtocol'

export function isSwMessage(data: unknown): boolean {
  return parseSwMessage(data) !== null
}
