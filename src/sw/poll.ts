/**
 * The fallback poll, one round per tick (docs/architecture.md). The hub owns the timer and sends each
 * tick through one tab; here we only fetch, refresh the API cache and tell every window. The SW
 * must never keep its own timer: it is stopped after ~30 s idle and the timer would die with it.
 */
import { apiUrl } from '../config'
import { runPoll } from '@shared/pollCore'
import { pollMessage, type ClientMessage } from '@shared/swProtocol'
import type { PollOutcome, PollPlan } from '@shared/hubTypes'
import { storeApiResponse } from './apiCache'

declare const self: ServiceWorkerGlobalScope

/** Every window of the origin, controlled or not (a first visit is not controlled yet). */
async function broadcast(message: ClientMessage): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  for (const client of windows) client.postMessage(message)
}

/**
 * Runs one round and answers with its outcome. Windows are told even when nothing changed, so
 * each can show when its data was last confirmed ("updated just now").
 */
export async function pollOnce(plan: PollPlan): Promise<PollOutcome> {
  const round = await runPoll(plan, {
    fetch: (input, init) => fetch(input, init),
    url: apiUrl,
    onFresh: (path, authorization, response) => storeApiResponse(apiUrl(path), authorization, response),
  })
  await broadcast(pollMessage(round))
  return round.outcome
}
