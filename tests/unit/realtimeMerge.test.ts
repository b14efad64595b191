/**
 * The version rule under any delivery order (src/protocol/merge.ts): socket events, poll results, replays
 * and resyncs may interleave arbitrarily and repeat; every interleaving ends in the same state.
 */
import fc from 'fast-check'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { OrderChange } from '../../src/protocol'
import { useOrdersStore } from '../../src/app/stores/orders'
import { makeOrder } from './support/fixtures'

/** Each order's full history as change-log entries, with globally increasing seqs. */
function historyOf(orderCount: number, versions: number[]): OrderChange[] {
  const changes: OrderChange[] = []
  let seq = 0
  for (let o = 0; o < orderCount; o++) {
    for (let v = 1; v <= (versions[o] ?? 1); v++) changes.push({ seq: ++seq, order: makeOrder({ id: `ord_${o}`, version: v }) })
  }
  return changes
}

function finalState(changes: readonly OrderChange[]) {
  setActivePinia(createPinia())
  const orders = useOrdersStore()
  for (const change of changes) orders.applyChange(change)
  return {
    byId: Object.fromEntries(Object.entries(orders.byId).map(([id, order]) => [id, { version: order.version, status: order.status }])),
    lastSeq: orders.lastSeq,
  }
}

describe('version merge (property)', () => {
  it('any interleaving, with duplicates, of the same events ends in the same state', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((count) => fc.tuple(fc.constant(count), fc.array(fc.integer({ min: 1, max: 5 }), { minLength: count, maxLength: count }))),
        fc.array(fc.nat(), { maxLength: 6 }),
        ([count, versions], duplicateIdx) => {
          const changes = historyOf(count, versions)
          // Replays: some events arrive again (socket + poll + resync of the same change).
          const withDuplicates = [...changes, ...duplicateIdx.map((i) => changes[i % changes.length]!)]
          const reference = finalState(changes)
          fc.assert(
            fc.property(
              fc.shuffledSubarray(withDuplicates, { minLength: withDuplicates.length, maxLength: withDuplicates.length }),
              (shuffled) => {
                expect(finalState(shuffled)).toEqual(reference)
              },
            ),
            { numRuns: 15 },
          )
          // And the state is the newest version of every order, never an older one.
          for (let o = 0; o < count; o++) expect(reference.byId[`ord_${o}`]!.version).toBe(versions[o])
          expect(reference.lastSeq).toBe(changes.length)
        },
      ),
      { numRuns: 40 },
    )
  })
})
