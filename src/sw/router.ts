/**
 * The one `message` listener: each validated message goes to the concern that owns it. A poll
 * answers on the MessageChannel port it came with; nothing escapes unhandled: a
 * tab waiting on the port must always get an answer.
 */
import type { PollOutcome } from '../shared/hubTypes'
import { clearAdminApiCache } from './apiCache'
import { parseSwMessage } from '../shared/swProtocol'
import { flushOutbox } from './outbox'
import { pollOnce } from './poll'

const FAILED: PollOutcome = { ok: false, orders: [] }

export function setupMessages(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('message', (event) => {
    const message = parseSwMessage(event.data)
    const port = event.ports[0]
    if (!message) {
      port?.postMessage({ error: { code: 'invalid_message', message: 'Unknown or malformed message.' } })
      return
    }
    switch (message.type) {
      case 'SKIP_WAITING':
        event.waitUntil(scope.skipWaiting())
        return
      case 'poll':
        event.waitUntil(
          pollOnce(message.plan)
            .catch(() => FAILED)
            .then((outcome) => port?.postMessage(outcome)),
        )
        return
      case 'clear-api-cache':
        event.waitUntil(clearAdminApiCache().then(() => port?.postMessage({ ok: true }), () => port?.postMessage({ ok: false })))
        return
      case 'flush-outbox':
        event.waitUntil(flushOutbox(false).catch(() => undefined))
        return
    }
  })
}
