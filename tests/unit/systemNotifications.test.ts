import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { noticeUrl } from '../../src/app/composables/useSystemNotifications'
import { claimTag, MAX_REMEMBERED, releaseTag } from '../../src/shared/notifiedTags'

describe('system notification helpers', () => {
  it('a click leads to the order page, or the board for other notices', () => {
    expect(noticeUrl({ orderId: 'ord_1' })).toBe('/admin/orders/ord_1')
    expect(noticeUrl({})).toBe('/admin')
  })
})

describe('notified tags (IndexedDB)', () => {
  it('lets exactly one of many concurrent claims of a tag win', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => claimTag('ord_race')))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('gives a released claim to the next claimant', async () => {
    expect(await claimTag('ord_release')).toBe(true)
    expect(await claimTag('ord_release')).toBe(false)
    await releaseTag('ord_release')
    expect(await claimTag('ord_release')).toBe(true)
  })

  it('keeps at most MAX_REMEMBERED tags, forgetting the oldest first', async () => {
    const base = 1_000_000
    for (let i = 0; i < MAX_REMEMBERED + 5; i++) expect(await claimTag(`ord_bound_${i}`, base + i)).toBe(true)
    // The five oldest are forgotten (claimable again), the newest are still held.
    expect(await claimTag('ord_bound_0', base + 10_000)).toBe(true)
    expect(await claimTag(`ord_bound_${MAX_REMEMBERED + 4}`, base + 10_001)).toBe(false)
  })
})
