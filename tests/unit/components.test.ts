import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import ConnectionBadge from '../../src/app/components/ConnectionBadge.vue'
import { markViewRendered } from '../../src/app/firstContent'
import OrderNote from '../../src/app/components/order/OrderNote.vue'
import OrderTimeline from '../../src/app/components/order/OrderTimeline.vue'
import StatusPill from '../../src/app/components/order/StatusPill.vue'
import { useConnectionStore } from '../../src/app/stores/connection'
import { useOutboxStore } from '../../src/app/stores/outbox'
import type { OutboxEntry } from '../../src/shared/outboxDb'
import { hubStatus, makeOrder } from './support/fixtures'
import { nextTick } from 'vue'
import CheckoutForm from '../../src/app/components/storefront/CheckoutForm.vue'

beforeEach(() => setActivePinia(createPinia()))

describe('ConnectionBadge', () => {
  it('exposes the state in data-state with a human label', async () => {
    const wrapper = mount(ConnectionBadge)
    const badge = wrapper.get('[data-testid="connection-state"]')
    expect(badge.attributes('data-state')).toBe('connecting')
    useConnectionStore().setStatus(hubStatus({ state: 'live' }))
    await wrapper.vm.$nextTick()
    expect(badge.attributes('data-state')).toBe('live')
    expect(badge.text()).toBe('Live')
    useConnectionStore().markUnavailable('boom')
    await wrapper.vm.$nextTick()
    expect(badge.attributes('data-state')).toBe('offline')
  })

  it('counts the changes waiting in the outbox once its store has loaded (after the first content is shown)', async () => {
    const entry = (key: string, state: OutboxEntry['state']): OutboxEntry => ({
      key,
      orderId: 'ord_1',
      orderNumber: 1,
      fromStatus: 'placed',
      status: 'confirmed',
      version: 1,
      token: 'token',
      createdAt: 0,
      attempts: 0,
      state,
      error: null,
      current: null,
    })
    useOutboxStore().$patch({ entries: [entry('k1', 'pending'), entry('k2', 'pending'), entry('k3', 'conflict')] })
    const wrapper = mount(ConnectionBadge)
    // Not in the mount's task: the store's module is loaded already (imported above), so a request
    // made there would show the count within microtasks; it is made once the first screen's
    // content is shown, a task after that.
    for (let i = 0; i < 20; i += 1) await Promise.resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(document.querySelector('[data-testid="outbox-count"]')).toBeNull()
    markViewRendered()
    // The banner is teleported to <body>.
    await vi.waitFor(() => expect(document.querySelector('[data-testid="outbox-count"]')?.textContent).toBe('2 changes waiting'))
    wrapper.unmount()
  })
})

describe('OrderTimeline', () => {
  it('marks reached steps with their time and the current step', () => {
    const order = makeOrder({ version: 3 })
    const wrapper = mount(OrderTimeline, { props: { status: order.status, history: order.history } })
    const steps = wrapper.findAll('li')
    expect(steps.map((step) => step.attributes('data-step'))).toEqual(['placed', 'confirmed', 'preparing', 'out_for_delivery', 'delivered'])
    expect(steps[0]!.classes()).toContain('is-done')
    expect(steps[2]!.classes()).toContain('is-current')
    expect(steps[2]!.attributes('aria-current')).toBe('step')
    expect(steps[2]!.find('time').attributes('datetime')).toBe(order.history[2]!.at)
    expect(steps[3]!.classes()).toContain('is-upcoming')
    expect(steps[3]!.find('time').exists()).toBe(false)
  })

  it('ends a cancelled order at "Cancelled" after the steps it reached', () => {
    const history = [
      { status: 'placed' as const, version: 1, at: '2026-01-01T12:00:00.000Z' },
      { status: 'cancelled' as const, version: 2, at: '2026-01-01T12:05:00.000Z' },
    ]
    const wrapper = mount(OrderTimeline, { props: { status: 'cancelled', history } })
    expect(wrapper.findAll('li').map((step) => step.attributes('data-step'))).toEqual(['placed', 'cancelled'])
    expect(wrapper.find('li.is-cancelled').text()).toContain('Cancelled')
    expect(wrapper.find('[data-testid="cancel-reason"]').exists()).toBe(false)
  })

  it('shows the cancellation reason as text under the cancelled step', () => {
    const history = [
      { status: 'placed' as const, version: 1, at: '2026-01-01T12:00:00.000Z' },
      { status: 'cancelled' as const, version: 2, at: '2026-01-01T12:05:00.000Z' },
    ]
    const reason = '<b>Out of stock</b>'
    const wrapper = mount(OrderTimeline, { props: { status: 'cancelled', history, cancelReason: reason } })
    expect(wrapper.find('li.is-cancelled [data-testid="cancel-reason"]').text()).toBe(`Reason: ${reason}`)
    expect(wrapper.find('b').exists()).toBe(false)
  })

  it('a delivered order ends complete: every step done, the last one not "current"', () => {
    const order = makeOrder({ version: 5 })
    expect(order.status).toBe('delivered')
    const wrapper = mount(OrderTimeline, { props: { status: order.status, history: order.history } })
    const steps = wrapper.findAll('li')
    expect(wrapper.find('li.is-current').exists()).toBe(false)
    expect(steps[4]!.classes()).toContain('is-complete')
    expect(steps[4]!.attributes('aria-current')).toBeUndefined()
    expect(steps.slice(0, 4).every((step) => step.classes().includes('is-done'))).toBe(true)
    expect(wrapper.find('[data-testid="delivered-note"]').exists()).toBe(true)
  })
})

describe('order display', () => {
  it('StatusPill carries the status key and label', () => {
    const wrapper = mount(StatusPill, { props: { status: 'out_for_delivery' }, attrs: { 'data-testid': 'order-status' } })
    expect(wrapper.attributes('data-status')).toBe('out_for_delivery')
    expect(wrapper.attributes('data-testid')).toBe('order-status')
    expect(wrapper.text()).toBe('Out for delivery')
  })

  it('renders an untrusted note as text, never as HTML', () => {
    const note = '<img src=x onerror="alert(1)"><b>hi</b>'
    const wrapper = mount(OrderNote, { props: { note } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('.order-note__text').text()).toBe(note)
  })
})

describe('CheckoutForm', () => {
  const lines = [
    { product: { id: 'p1', name: 'Coffee', description: '', priceCents: 350 }, quantity: 2 },
    { product: { id: 'p2', name: 'Bagel', description: '', priceCents: 800 }, quantity: 1 },
  ]
  const props = (overrides: Record<string, unknown> = {}) => ({
    name: '',
    email: '',
    address: '',
    phone: '',
    note: '',
    errors: {},
    phase: 'idle' as const,
    totalLabel: '$15.00',
    itemCount: 3,
    lines,
    invalidSubmits: 0,
    ...overrides,
  })

  it('lists the cart lines with their prices and asks for delivery details with autofill hints', () => {
    const wrapper = mount(CheckoutForm, { props: props() })
    const rows = wrapper.findAll('[data-testid="cart-lines"] li').map((li) => li.text())
    expect(rows).toEqual(['Coffee × 2, $7.00', 'Bagel × 1, $8.00'])
    expect(wrapper.get('#checkout-address').attributes('autocomplete')).toBe('street-address')
    expect(wrapper.get('#checkout-phone').attributes()).toMatchObject({ autocomplete: 'tel', inputmode: 'tel', type: 'tel' })
  })

  it('says "Retrying…" and stays disabled while an attempt is resent', () => {
    const wrapper = mount(CheckoutForm, { props: props({ phase: 'retrying' }) })
    const button = wrapper.get('button[type="submit"]')
    expect(button.text()).toBe('Retrying…')
    expect(button.attributes('disabled')).toBeDefined()
    expect(wrapper.get('[data-testid="checkout-status"]').text()).toMatch(/retrying/)
  })

  it('moves focus to the first invalid field after a refused submit', async () => {
    const wrapper = mount(CheckoutForm, { props: props(), attachTo: document.body })
    await wrapper.setProps({ errors: { phone: 'The phone number must contain 6 to 15 digits.' }, invalidSubmits: 1 })
    await nextTick()
    expect(document.activeElement?.id).toBe('checkout-phone')
    wrapper.unmount()
  })
})
