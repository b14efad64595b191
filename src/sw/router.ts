/**
 * The one `message` listener: each validated message goes to the concern that owns it. A poll
 * answers on the MessageChannel port it came with; nothing escapes unhandled: a
 * tab waiting on the port must always get an answer.
 */
import { failedPoll } from '@shared/hubTypes'
import { clearAdminApiCache, rememberOrder } from './apiCache'
import { parseSwMessage } from '@shared/swProtocol'
import { flushOutbox } from './outbox'
import { pollOnce } from './poll'

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
            .catch(failedPoll)
            .then((outcome) => port?.postMessage(outcome)),
        )
        return
      case 'clear-api-cache':
        event.waitUntil(
          clearAdminApiCache().then(
            () => port?.postMessage({ ok: true }),
            () => port?.postMessage({ ok: false }),
          ),
        )
        return
      case 'flush-outbox':
        event.waitUntil(flushOutbox(false).catch(() => undefined))
        return
      case 'remember-order':
        // Storage full or unavailable: the page still shows the order; only an offline reload loses it.
        event.waitUntil(rememberOrder(message.order, message.token).catch(() => undefined))
        return
    }
  })
}
