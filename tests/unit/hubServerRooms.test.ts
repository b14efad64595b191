import { describe, expect, it } from 'vitest'
import { ServerRooms } from '../../src/hub/serverRooms'
import type { HubSocket } from '../../src/hub/socketPort'

const order = (orderId: string) => ({ kind: 'order' as const, orderId, token: 'tracking-token-0123456789' })

/** A socket whose acks the test settles by hand, in any order. */
function fakeSocket() {
  const sent: { event: string; orderId: string; settle: (answer: unknown) => void }[] = []
  const socket: HubSocket & { connected: boolean } = {
    connected: true,
    emitWithAck(event, payload) {
      return new Promise((resolve) => sent.push({ event, orderId: (payload as { orderId: string }).orderId, settle: resolve }))
    },
    close() {},
  }
  return { socket, sent }
}

function setup(wanted: Set<string>) {
  const { socket, sent } = fakeSocket()
  let current: HubSocket | null = socket
  const rooms = new ServerRooms({
    socket: () => current,
    wanted: (key) => wanted.has(key),
    ackTimeoutMs: 1_000,
    onChange: () => {},
    log: () => {},
  })
  return { rooms, socket, sent, replaceSocket: (next: HubSocket | null) => void (current = next) }
}

describe('ServerRooms', () => {
  it('does not keep a room whose join is answered after the last tab let go', async () => {
    const wanted = new Set(['order:o1'])
    const { rooms, sent } = setup(wanted)
    const joining = rooms.join(order('o1'))
    wanted.delete('order:o1')
    sent[0]!.settle({ ok: true })
    expect(await joining).toEqual({ ok: true })
    expect(rooms.list()).toEqual([])
  })

  it('ignores an answer that arrives on a socket it no longer uses', async () => {
    const { rooms, sent, replaceSocket } = setup(new Set(['order:o1']))
    const joining = rooms.join(order('o1'))
    replaceSocket(fakeSocket().socket)
    sent[0]!.settle({ ok: true })
    await joining
    expect(rooms.list()).toEqual([])
  })

  it('turns an answer of the wrong shape into a bad_ack value', async () => {
    const { rooms, sent } = setup(new Set(['order:o1']))
    const joining = rooms.join(order('o1'))
    sent[0]!.settle('yes')
    expect(await joining).toMatchObject({ ok: false, error: { code: 'bad_ack' } })
    expect(rooms.list()).toEqual([])
  })

  it('leaves rooms let go of offline on a recovered connect, and re-joins all on an unrecovered one', async () => {
    const wanted = new Set(['order:o1', 'order:o2'])
    const { rooms, socket, sent } = setup(wanted)
    const first = [rooms.join(order('o1')), rooms.join(order('o2'))]
    for (const s of sent) s.settle({ ok: true })
    await Promise.all(first)
    expect(rooms.list()).toEqual(['order:o1', 'order:o2'])

    socket.connected = false
    rooms.onDisconnect()
    wanted.delete('order:o2')
    rooms.leave('order:o2')
    expect(sent).toHaveLength(2) // nothing sent while offline

    socket.connected = true
    const recovered = rooms.afterConnect(true, [order('o1')])
    expect(sent.slice(2).map((s) => `${s.event}:${s.orderId}`)).toEqual(['unwatchOrder:o2'])
    expect(await recovered).toEqual([]) // o1 survived the recovery: no re-join
    expect(rooms.list()).toEqual(['order:o1'])

    const fresh = rooms.afterConnect(false, [order('o1')])
    const rejoin = sent[sent.length - 1]!
    expect(`${rejoin.event}:${rejoin.orderId}`).toBe('watchOrder:o1')
    rejoin.settle({ ok: true })
    expect(await fresh).toEqual([{ interest: order('o1'), ack: { ok: true } }])
  })
})
