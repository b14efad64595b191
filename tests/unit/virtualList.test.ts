import { describe, expect, it } from 'vitest'
import { insertByNumber, matchesBoard, matchesSearch } from '../../src/app/components/admin/boardRows'
import { computeWindow, scrollTopFor } from '../../src/app/composables/useVirtualList'

const ROW = 56

describe('computeWindow', () => {
  it('renders a window, not 10,000 rows', () => {
    const window = computeWindow({ scrollTop: 0, viewportHeight: 700, itemHeight: ROW, count: 10_000, overscan: 8 })
    expect(window.start).toBe(0)
    expect(window.end - window.start).toBeLessThanOrEqual(Math.ceil(700 / ROW) + 1 + 8)
    expect(window.total).toBe(10_000 * ROW)
  })

  it('follows the scroll position with overscan on both sides', () => {
    const window = computeWindow({ scrollTop: 5_000 * ROW, viewportHeight: 700, itemHeight: ROW, count: 10_000, overscan: 8 })
    expect(window.start).toBe(5_000 - 8)
    expect(window.end).toBe(5_000 + Math.ceil(700 / ROW) + 1 + 8)
    expect(window.offset).toBe(window.start * ROW)
  })

  it('clamps at the end and past it (a list that shrank under the scroll position)', () => {
    const window = computeWindow({ scrollTop: 10_000_000, viewportHeight: 700, itemHeight: ROW, count: 10_000, overscan: 4 })
    expect(window.end).toBe(10_000)
    expect(window.end - window.start).toBeLessThan(30)
  })

  it('handles empty and tiny lists', () => {
    expect(computeWindow({ scrollTop: 0, viewportHeight: 700, itemHeight: ROW, count: 0, overscan: 8 })).toEqual({
      start: 0,
      end: 0,
      offset: 0,
      total: 0,
    })
    expect(computeWindow({ scrollTop: 0, viewportHeight: 700, itemHeight: ROW, count: 3, overscan: 8 })).toMatchObject({ start: 0, end: 3 })
  })
})

describe('scrollTopFor (keyboard focus moves)', () => {
  const view = { scrollTop: 10 * ROW, viewportHeight: 5 * ROW, itemHeight: ROW }
  it('does not scroll for a visible row', () => expect(scrollTopFor(12, view)).toBeNull())
  it('scrolls up to a row above', () => expect(scrollTopFor(9, view)).toBe(9 * ROW))
  it('scrolls down just enough for a row below', () => expect(scrollTopFor(15, view)).toBe(16 * ROW - 5 * ROW))
})

describe('board filter rules (mirror of the server search)', () => {
  const order = { id: 'ord_1', number: 1042, status: 'placed' as const, customer: { name: 'Grace Hopper', email: 'grace@Example.com' } }
  it('matches number, name and email case-insensitively', () => {
    expect(matchesSearch(order, '1042')).toBe(true)
    expect(matchesSearch(order, '#1042')).toBe(true)
    expect(matchesSearch(order, '104')).toBe(false)
    expect(matchesSearch(order, 'HOPP')).toBe(true)
    expect(matchesSearch(order, 'example.COM')).toBe(true)
    expect(matchesSearch(order, 'turing')).toBe(false)
    expect(matchesSearch(order, '  ')).toBe(true)
  })
  it('combines status and search', () => {
    expect(matchesBoard(order, { status: 'placed', q: 'grace' })).toBe(true)
    expect(matchesBoard(order, { status: 'confirmed', q: 'grace' })).toBe(false)
  })
  it('inserts an order that starts to match at its place, newest first, above the loaded floor only', () => {
    const numbers: Record<string, number> = { a: 30, b: 20, c: 10 }
    const numberOf = (id: string) => numbers[id]
    expect(insertByNumber(['a', 'b', 'c'], { id: 'x', number: 25 }, numberOf, null)).toEqual(['a', 'x', 'b', 'c'])
    expect(insertByNumber(['a', 'b', 'c'], { id: 'x', number: 40 }, numberOf, null)).toEqual(['x', 'a', 'b', 'c'])
    expect(insertByNumber(['a', 'b', 'c'], { id: 'x', number: 5 }, numberOf, null)).toEqual(['a', 'b', 'c', 'x'])
    const ids = ['a', 'b', 'c']
    expect(insertByNumber(ids, { id: 'x', number: 5 }, numberOf, 10)).toBe(ids)
    expect(insertByNumber(ids, { id: 'a', number: 30 }, numberOf, null)).toBe(ids)
  })
})
