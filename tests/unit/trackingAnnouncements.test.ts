import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { isAnnouncedChange } from '../../src/app/composables/useStatusAnnouncer'
import { describeEstimate, NEXT_STEP_HINTS, upcomingStepLine } from '../../src/app/utils/estimate'
import {
  claimVersion,
  deleteTrackedOrder,
  getTrackedOrder,
  listTrackedOrders,
  putTrackedOrder,
  releaseVersion,
  statusClaimKey,
} from '../../src/shared/notifiedTags'
import { STATUS_MESSAGES, statusTitle, trackingTargetOf, trackingUrl } from '../../src/shared/orderNotice'
import { applyPushedStatus, parsePushPayload } from '../../src/shared/pushUpdate'
import type { OrderEstimate } from '../../src/protocol'
import { makeOrder } from './support/fixtures'

const NOW = Date.UTC(2026, 0, 1, 12, 0)
const clock = (iso: string) => `clock(${iso.slice(11, 16)})`
const minutesFromNow = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString()

function estimate(deliveredInMinutes: number): OrderEstimate {
  return {
    deliveredAt: minutesFromNow(deliveredInMinutes),
    basis: 'history',
    steps: [
      { status: 'preparing', at: minutesFromNow(deliveredInMinutes - 20) },
      { status: 'out_for_delivery', at: minutesFromNow(deliveredInMinutes - 10) },
      { status: 'delivered', at: minutesFromNow(deliveredInMinutes) },
    ],
  }
}

describe('estimate wording', () => {
  it('says "in about N min" within the hour, rounded to 5 above ten minutes', () => {
    expect(describeEstimate({ status: 'confirmed', estimate: estimate(22) }, NOW, clock)).toBe('Estimated delivery in about 20 min')
    expect(describeEstimate({ status: 'confirmed', estimate: estimate(7.4) }, NOW, clock)).toBe('Estimated delivery in about 7 min')
    expect(describeEstimate({ status: 'confirmed', estimate: estimate(60) }, NOW, clock)).toBe('Estimated delivery in about 60 min')
  })

  it('gives a clock time ("around 13:45") beyond the hour, in the formatter passed (the user\'s locale)', () => {
    expect(describeEstimate({ status: 'placed', estimate: estimate(105) }, NOW, clock)).toBe('Estimated delivery around clock(13:45)')
  })

  it('never promises a past time: "any minute now", then "taking longer" when well overdue', () => {
    expect(describeEstimate({ status: 'out_for_delivery', estimate: estimate(1) }, NOW, clock)).toBe('Estimated delivery any minute now')
    expect(describeEstimate({ status: 'out_for_delivery', estimate: estimate(-5) }, NOW, clock)).toBe('Estimated delivery any minute now')
    expect(describeEstimate({ status: 'out_for_delivery', estimate: estimate(-30) }, NOW, clock)).toMatch(/^Taking longer than estimated/)
  })

  it('is hidden once delivered or cancelled, and without an estimate', () => {
    expect(describeEstimate({ status: 'delivered', estimate: estimate(20) }, NOW, clock)).toBeNull()
    expect(describeEstimate({ status: 'cancelled', estimate: estimate(20) }, NOW, clock)).toBeNull()
    expect(describeEstimate({ status: 'placed', estimate: null }, NOW, clock)).toBeNull()
    expect(describeEstimate({ status: 'placed' }, NOW, clock)).toBeNull()
    expect(describeEstimate({ status: 'placed', estimate: { ...estimate(20), deliveredAt: 'soon' } }, NOW, clock)).toBeNull()
  })

  it('says what happens at each upcoming step, with its expected time when estimated', () => {
    expect(upcomingStepLine('out_for_delivery', estimate(30), clock)).toBe(
      `${NEXT_STEP_HINTS.out_for_delivery} Expected around clock(12:20).`,
    )
    expect(upcomingStepLine('confirmed', estimate(30), clock)).toBe(NEXT_STEP_HINTS.confirmed)
    expect(upcomingStepLine('delivered', null, clock)).toBe(NEXT_STEP_HINTS.delivered)
  })
})

describe('status announcements', () => {
  it('titles carry the status first, then the order number', () => {
    expect(statusTitle(1008, 'out_for_delivery')).toBe('Out for delivery · Order #1008')
    expect(STATUS_MESSAGES.delivered).toMatch(/delivered/)
  })

  it('announces only a newer version of the same order with another status (never the first load)', () => {
    const before = makeOrder({ version: 2 })
    expect(isAnnouncedChange(null, before)).toBe(false)
    expect(isAnnouncedChange(before, makeOrder({ version: 3 }))).toBe(true)
    expect(isAnnouncedChange(before, makeOrder({ version: 2 }))).toBe(false)
    expect(isAnnouncedChange(makeOrder({ version: 3 }), before)).toBe(false)
    expect(isAnnouncedChange(before, makeOrder({ version: 3, id: 'ord_2' }))).toBe(false)
    expect(isAnnouncedChange(before, { ...before, version: 3 })).toBe(false)
  })

  it('links the tracking page with its token in the fragment', () => {
    expect(trackingUrl('ord_1', 'tok_abc')).toBe('/track/ord_1#t=tok_abc')
    expect(trackingUrl('ord_1', null)).toBe('/track/ord_1')
  })

  it("a notification click opens only a tracking page of this origin; the admin's notifications are not taken", () => {
    expect(trackingTargetOf({ url: '/track/ord_1#t=Ab-_9' })).toEqual({ orderId: 'ord_1', url: '/track/ord_1#t=Ab-_9' })
    expect(trackingTargetOf({ url: '/track/ord_1' })).toEqual({ orderId: 'ord_1', url: '/track/ord_1' })
    for (const url of [
      'https://evil.example/track/ord_1',
      '//evil.example/track/x',
      '/track/ord_1/../../admin',
      '/admin/orders/ord_1',
      '/track/ord 1',
      42,
    ])
      expect(trackingTargetOf({ url })).toBeNull()
    expect(trackingTargetOf(null)).toBeNull()
    expect(trackingTargetOf({ orderId: 'ord_1', url: '/admin/orders/ord_1' })).toBeNull()
  })
})

describe('push payloads', () => {
  const payload = { orderId: 'ord_1', number: 1001, status: 'out_for_delivery' as const, version: 4 }

  it('accepts the server payload and refuses anything else', () => {
    expect(parsePushPayload(payload)).toEqual(payload)
    expect(parsePushPayload({ ...payload, status: 'lost' })).toBeNull()
    expect(parsePushPayload({ ...payload, version: 0 })).toBeNull()
    expect(parsePushPayload('hello')).toBeNull()
    expect(parsePushPayload(null)).toBeNull()
  })

  it('moves the cached order forward: status, version, history, remaining estimate steps', () => {
    const held = makeOrder({ version: 3, estimate: estimate(30) })
    const next = applyPushedStatus(held, payload, '2026-01-01T12:30:00.000Z')
    expect(next?.status).toBe('out_for_delivery')
    expect(next?.version).toBe(4)
    expect(next?.updatedAt).toBe('2026-01-01T12:30:00.000Z')
    expect(next?.history.at(-1)).toEqual({ status: 'out_for_delivery', version: 4, at: '2026-01-01T12:30:00.000Z' })
    expect(next?.estimate?.steps.map((step) => step.status)).toEqual(['delivered'])
    expect(next?.items).toEqual(held.items)
  })

  it('never moves backwards: the same or an older version, or another order, changes nothing', () => {
    expect(applyPushedStatus(makeOrder({ version: 4 }), payload, 'x')).toBeNull()
    expect(applyPushedStatus(makeOrder({ version: 5 }), payload, 'x')).toBeNull()
    expect(applyPushedStatus(makeOrder({ version: 3, id: 'ord_2' }), payload, 'x')).toBeNull()
  })

  it('drops the estimate once the order is delivered or cancelled', () => {
    const held = makeOrder({ version: 4, estimate: estimate(10) })
    expect(applyPushedStatus(held, { ...payload, status: 'delivered', version: 5 }, 'x')?.estimate).toBeNull()
  })
})

describe('status claims (IndexedDB, shared by tabs and the service worker)', () => {
  it('lets one of many concurrent claims of a version win, and never an older version after it', async () => {
    const key = statusClaimKey('ord_race')
    const results = await Promise.all(Array.from({ length: 6 }, () => claimVersion(key, 3)))
    expect(results.filter((claim) => claim.claimed)).toHaveLength(1)
    expect((await claimVersion(key, 2)).claimed).toBe(false)
    expect((await claimVersion(key, 3)).claimed).toBe(false)
    expect(await claimVersion(key, 4)).toEqual({ claimed: true, previous: 3 })
  })

  it('a released claim goes back to the version held before', async () => {
    const key = statusClaimKey('ord_release')
    await claimVersion(key, 2)
    const claim = await claimVersion(key, 5)
    await releaseVersion(key, { version: 5, previous: claim.previous })
    expect((await claimVersion(key, 2)).claimed).toBe(false)
    expect((await claimVersion(key, 5)).claimed).toBe(true)
  })

  it('keeps the orders the customer asked to be notified about, with their token', async () => {
    await putTrackedOrder({ orderId: 'ord_t', token: 'tok', number: 7, endpoint: null, at: 1 })
    expect(await getTrackedOrder('ord_t')).toMatchObject({ token: 'tok', endpoint: null })
    expect((await listTrackedOrders()).map((record) => record.orderId)).toContain('ord_t')
    await deleteTrackedOrder('ord_t')
    expect(await getTrackedOrder('ord_t')).toBeNull()
  })
})
