/**
 * The tab's half of the fallback poll (docs/architecture.md): the hub picks one tab per tick and calls
 * `relayPoll`, which hands the plan to the service worker. The SW fetches, refreshes its cache
 * and broadcasts changed orders to every window. With no service worker (first visit before it
 * claims the page, or none at all), the tab fetches itself and shares results over a
 * BroadcastChannel, so the outcome and the other tabs' view are the same either way.
 */
import { apiUrl } from '../../config'
import { failedPoll, type PollOutcome, type PollPlan } from '@shared/hubTypes'
import { activeWorker, askWorker } from './swClient'
import { parsePollOutcome, pollMessage, type ClientMessage } from '@shared/swProtocol'

/** A round the SW has not answered in this long is treated as failed (the hub backs off). */
const RELAY_TIMEOUT_MS = 15_000
/** Carries poll results between tabs when no service worker does. */
export const POLL_CHANNEL = 'orderline-poll'

let localListener: ((message: ClientMessage) => void) | null = null

/** swBridge registers here to apply a round this very tab performed without a SW. */
export function onLocalPollResult(listener: ((message: ClientMessage) => void) | null): void {
  localListener = listener
}

async function pollInThisTab(plan: PollPlan): Promise<PollOutcome> {
  // Loaded when a tab first has to poll by itself (no service worker, the socket down a while):
  // most visits never do, so the poll's code stays out of the page's first download.
  let runPoll: typeof import('@shared/pollCore').runPoll
  try {
    ;({ runPoll } = await import('@shared/pollCore'))
  } catch {
    return { ...failedPoll(), networkError: true }
  }
  const round = await runPoll(plan, { fetch: (input, init) => fetch(input, init), url: apiUrl })
  const message = pollMessage(round)
  localListener?.(message)
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(POLL_CHANNEL)
    channel.postMessage(message)
    channel.close()
  }
  return round.outcome
}

/**
 * Performs one poll round for the whole browser and reports what it found. Never rejects:
 * failures come back as `{ok: false}` (with `networkError` when the network was the cause).
 */
export async function relayPoll(plan: PollPlan): Promise<PollOutcome> {
  try {
    const worker = await activeWorker()
    if (worker) {
      const outcome = parsePollOutcome(await askWorker(worker, { type: 'poll', plan }, RELAY_TIMEOUT_MS))
      if (outcome) return outcome
      return failedPoll()
    }
    return await pollInThisTab(plan)
  } catch {
    return failedPoll()
  }
}
