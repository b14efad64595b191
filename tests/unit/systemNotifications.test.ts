import { describe, expect, it } from 'vitest'
import { noticeUrl, remember } from '../../src/composables/useSystemNotifications'

describe('system notification helpers', () => {
  it('remembers shown tags once, newest last, bounded', () => {
    expect(remember([], 'a')).toEqual(['a'])
    expect(remember(['a', 'b'], 'a')).toEqual(['b', 'a'])
    expect(remember(['a', 'b', 'c'], 'd', 3)).toEqual(['b', 'c', 'd'])
  })
  it('a click leads to the order page, or the board for other notices', () => {
    expect(noticeUrl({ orderId: 'ord_1' })).toBe('/admin/orders/ord_1')
    expect(noticeUrl({})).toBe('/admin')
  })
})
