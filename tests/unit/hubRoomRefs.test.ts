import { describe, expect, it } from 'vitest'
import type { Order, ServerEvent } from '../../src/protocol'
import { interestKey, RoomRefs } from '../../src/hub/roomRefs'

const order = (id: string) => ({ kind: 'order', orderId: id, token: 't'.repeat(20) }) as const
const admin = { kind: 'admin' } as const
const change = (type: 'orderUpdated' | 'newOrder', id: string): ServerEvent => ({
  type,
  payload: { seq: 1, order: { id } as Order },
})

describe('RoomRefs', () => {
  it('joins on the first holder and leaves on the last', () => {
    const refs = new RoomRefs()
    expect(refs.add('a', order('o1'))).toBe(true)
    expect(refs.add('b', order('o1'))).toBe(false)
    expect(refs.add('a', order('o1'))).toBe(false) // a tab counts once
    expect(refs.remove('a', 'order:o1')).toBe(false)
    expect(refs.remove('b', 'order:o1')).toBe(true)
    expect(refs.keys()).toEqual([])
  })

  it('ignores removals of what a tab does not hold', () => {
    const refs = new RoomRefs()
    refs.add('a', order('o1'))
    expect(refs.remove('b', 'order:o1')).toBe(false)
    expect(refs.remove('a', 'order:nope')).toBe(false)
    expect(refs.has('order:o1')).toBe(true)
  })

  it('removeTab returns only the rooms nobody else holds', () => {
    const refs = new RoomRefs()
    refs.add('a', order('o1'))
    refs.add('a', order('o2'))
    refs.add('a', admin)
    refs.add('b', order('o2'))
    expect(refs.removeTab('a').sort()).toEqual(['admin', 'order:o1'])
    expect(refs.keys()).toEqual(['order:o2'])
    expect(refs.removeTab('a')).toEqual([])
  })

  it('keeps the first interest (its token) for re-joins', () => {
    const refs = new RoomRefs()
    refs.add('a', { kind: 'order', orderId: 'o1', token: 'first-token-000000' })
    refs.add('b', { kind: 'order', orderId: 'o1', token: 'second-token-00000' })
    refs.add('a', admin)
    expect(refs.orderInterests()).toEqual([{ kind: 'order', orderId: 'o1', token: 'first-token-000000' }])
  })

  it('routes orderUpdated to the order watchers and the admin tabs, each once', () => {
    const refs = new RoomRefs()
    refs.add('customer', order('o1'))
    refs.add('other', order('o2'))
    refs.add('admin', admin)
    refs.add('both', admin)
    refs.add('both', order('o1'))
    expect(refs.route(change('orderUpdated', 'o1')).sort()).toEqual(['admin', 'both', 'customer'])
    expect(refs.route(change('orderUpdated', 'o9')).sort()).toEqual(['admin', 'both'])
  })

  it('routes newOrder, statsUpdated and notification to admin tabs only', () => {
    const refs = new RoomRefs()
    refs.add('customer', order('o1'))
    refs.add('admin', admin)
    expect(refs.route(change('newOrder', 'o1'))).toEqual(['admin'])
    expect(refs.route({ type: 'statsUpdated', payload: {} as never })).toEqual(['admin'])
    expect(refs.route({ type: 'notification', payload: {} as never })).toEqual(['admin'])
  })

  it('routes nothing when nobody watches', () => {
    expect(new RoomRefs().route(change('orderUpdated', 'o1'))).toEqual([])
  })

  it('keys are the server room names', () => {
    expect(interestKey(admin)).toBe('admin')
    expect(interestKey(order('x'))).toBe('order:x')
  })
})
