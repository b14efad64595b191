/**
 * What this tab asked the hub for, counted per tab: components watch and unwatch freely, and the
 * hub only hears of the first watch and the last unwatch of an interest. Kept so that a hub that
 * forgot this tab (bfcache restore, new leader, fallback transport) can be told everything again.
 */
import type { Ack } from '../../protocol'
import type { HubApi } from '@shared/hubApi'
import type { Interest } from '@shared/hubTypes'

/** Ack codes that say "the hub could not answer", not "the server refused": the watch is kept and replayed. */
const TRANSIENT_CODES = new Set(['hub_unavailable', 'timeout', 'offline', 'unknown_tab'])

type Watch = { interest: Interest; count: number; ack: Promise<Ack> }

export const interestKeyOf = (interest: Interest): string => (interest.kind === 'order' ? `order:${interest.orderId}` : interest.kind)

const unavailable = (error: unknown): Ack => ({
  ok: false,
  error: { code: 'hub_unavailable', message: error instanceof Error ? error.message : String(error) },
})

export class TabWatches {
  private readonly watches = new Map<string, Watch>()

  constructor(
    private readonly tabId: string,
    private readonly api: () => Promise<HubApi>,
    private readonly log?: (message: string, detail?: unknown) => void,
  ) {}

  interests(): Interest[] {
    return [...this.watches.values()].map((watch) => watch.interest)
  }

  watch(interest: Interest): Promise<Ack> {
    const key = interestKeyOf(interest)
    const held = this.watches.get(key)
    if (held) {
      held.count++
      return held.ack
    }
    const entry: Watch = { interest, count: 1, ack: Promise.resolve({ ok: true }) }
    entry.ack = this.api()
      .then((api) => api.watch(this.tabId, interest))
      .catch(unavailable)
      .then((ack) => {
        // A refusal (bad token) forgets the watch; a hub that could not answer keeps it for replay.
        if (!ack.ok && !TRANSIENT_CODES.has(ack.error.code) && this.watches.get(key) === entry) this.watches.delete(key)
        return ack
      })
    this.watches.set(key, entry)
    return entry.ack
  }

  async unwatch(key: string): Promise<void> {
    const held = this.watches.get(key)
    if (!held) return
    if (--held.count > 0) return
    this.watches.delete(key)
    try {
      await (await this.api()).unwatch(this.tabId, held.interest)
    } catch (error) {
      this.log?.('unwatch failed', error)
    }
  }

  /** Tells a hub that does not know this tab every interest it holds. */
  async replay(api: HubApi): Promise<void> {
    await Promise.all([...this.watches.values()].map((watch) => api.watch(this.tabId, watch.interest)))
  }
}
