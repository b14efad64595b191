/**
 * The hub's side of the server rooms: which order rooms the server has confirmed for the current
 * socket, which joins are in flight, and which were let go of while offline. RoomRefs says what
 * the tabs want; this says what the server has, and sends the acked watchOrder / unwatchOrder
 * that move one towards the other.
 */
import * as v from 'valibot'
import { ADMIN_ROOM, type Ack } from '../protocol'
import type { Interest } from '@shared/hubTypes'
import { interestKey, type InterestKey } from './roomRefs'
import type { HubSocket } from './socketPort'

export type OrderInterest = Extract<Interest, { kind: 'order' }>

const ackSchema = v.union([
  v.object({ ok: v.literal(true) }),
  v.object({ ok: v.literal(false), error: v.object({ code: v.string(), message: v.string() }) }),
])

export const OK: Ack = { ok: true }
export const fail = (code: string, message: string): Ack => ({ ok: false, error: { code, message } })

export interface ServerRoomsDeps {
  /** The current socket (null while none): a join that finishes on an older socket is ignored. */
  socket: () => HubSocket | null
  /** Whether some tab still holds the room; a join answered after the last tab let go is not kept. */
  wanted: (key: InterestKey) => boolean
  ackTimeoutMs: number
  /** Membership changed (a join settled): the hub's status shows the rooms. */
  onChange: () => void
  log: (message: string, detail?: unknown) => void
}

export class ServerRooms {
  /** Order rooms the server has confirmed (acked watchOrder, or restored by recovery). */
  private readonly joined = new Set<InterestKey>()
  /** Rooms let go of while disconnected: a recovered session still has them, so leave them then. */
  private readonly leftOffline = new Set<InterestKey>()
  /** In-flight joins, so a second tab asking for the same order waits for the same answer. */
  private readonly joining = new Map<InterestKey, Promise<Ack>>()

  constructor(private readonly deps: ServerRoomsDeps) {}

  /** The confirmed order rooms. */
  list(): InterestKey[] {
    return [...this.joined]
  }

  /** A join already on its way for this room, if any. */
  pending(key: InterestKey): Promise<Ack> | undefined {
    return this.joining.get(key)
  }

  /** A new socket knows nothing of the old one's rooms. */
  reset(): void {
    this.joined.clear()
    this.joining.clear()
    this.leftOffline.clear()
  }

  /** Answers to joins sent on a link that dropped will never count. */
  onDisconnect(): void {
    this.joining.clear()
  }

  /**
   * Brings the server's rooms to what the tabs want after a connect. Unrecovered: the server has
   * forgotten every room. Recovered: it kept them, including those let go of while offline, which
   * are left now. Resolves with the re-join answers, in the order of `wantedOrders` missing ones.
   */
  async afterConnect(recovered: boolean, wantedOrders: OrderInterest[]): Promise<{ interest: OrderInterest; ack: Ack }[]> {
    if (!recovered) this.joined.clear()
    else for (const key of this.leftOffline) if (!this.deps.wanted(key)) this.sendUnwatch(key)
    this.leftOffline.clear()
    const missing = wantedOrders.filter((interest) => !this.joined.has(interestKey(interest)))
    const acks = await Promise.all(missing.map((interest) => this.join(interest)))
    return missing.map((interest, i) => ({ interest, ack: acks[i]! }))
  }

  /** Sends the acked watchOrder; remembers the room on success. Never rejects. */
  join(interest: OrderInterest): Promise<Ack> {
    const key = interestKey(interest)
    const socket = this.deps.socket()
    if (!socket) return Promise.resolve(fail('offline', 'not connected'))
    const attempt = socket
      .emitWithAck('watchOrder', { orderId: interest.orderId, token: interest.token }, this.deps.ackTimeoutMs)
      .then(
        (raw): Ack => {
          const parsed = v.safeParse(ackSchema, raw)
          return parsed.success ? parsed.output : fail('bad_ack', 'the server answered watchOrder with an unexpected value')
        },
        (error: unknown): Ack => fail('timeout', error instanceof Error ? error.message : 'no answer'),
      )
      .then((ack) => {
        if (this.deps.socket() === socket && this.joining.get(key) === attempt) {
          this.joining.delete(key)
          if (ack.ok && this.deps.wanted(key)) this.joined.add(key)
          this.deps.onChange()
        }
        return ack
      })
    this.joining.set(key, attempt)
    return attempt
  }

  /** The last tab let go: leave now, or on the next recovered connect if offline. */
  leave(key: InterestKey): void {
    if (key === ADMIN_ROOM) return
    const wasJoined = this.joined.delete(key)
    this.joining.delete(key)
    if (!wasJoined) return
    if (this.deps.socket()?.connected) this.sendUnwatch(key)
    else this.leftOffline.add(key)
  }

  private sendUnwatch(key: InterestKey): void {
    const orderId = key.slice(key.indexOf(':') + 1)
    this.deps
      .socket()
      ?.emitWithAck('unwatchOrder', { orderId }, this.deps.ackTimeoutMs)
      .catch((error: unknown) => {
        this.deps.log('unwatchOrder failed', error)
      })
  }
}
