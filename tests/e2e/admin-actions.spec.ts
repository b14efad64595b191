/**
 * Admin actions: cancelling asks for a reason in a modal dialog, waits out an undo window before
 * anything is sent, and the reason reaches the customer's tracking page; the next status is one
 * tap (or Tab + Enter) away on every board row, with the order page's version check.
 */
import type { Page } from '@playwright/test'
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expectLive, fetchOrderAsAdmin, signInContext } from './admin-support'
import { expect, test } from './fixtures'

async function openOrder(page: Page, url: string, id: string): Promise<void> {
  await page.goto(`${url}/admin/orders/${id}`)
  await expect(page.locator(`article[data-order-id="${id}"]`)).toBeVisible()
  await expectLive(page)
}

test('cancel: a reason in a dialog, undo sends nothing, then the customer sees the reason', async ({ browser, server }) => {
  const placed = await placeOrder(server, undefined, 'Cancel Me')
  const admin = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true })
  await signInContext(admin, server)
  const customer = await browser.newContext()
  try {
    const track = await customer.newPage()
    await track.goto(server.url + trackingPath(placed.order, placed.trackingToken))
    await expectLive(track)

    const page = await admin.newPage()
    await openOrder(page, server.url, placed.order.id)
    // Verbs, and the destructive one apart from the primary action.
    await expect(page.getByRole('button', { name: 'Mark confirmed' })).toBeVisible()
    const cancel = page.getByRole('button', { name: 'Cancel order…' })
    await cancel.click()
    const dialog = page.getByRole('dialog', { name: /Cancel order #\d+\?/ })
    await expect(dialog).toBeVisible()
    // Escape closes it and nothing happens.
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()

    await cancel.click()
    await expect(dialog).toBeVisible()
    // A reason is required.
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click()
    await expect(dialog.getByRole('alert')).toContainText('Choose a reason')
    await dialog.getByLabel('Out of stock').check()
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click()
    await expect(dialog).toBeHidden()

    // Inside the window: nothing sent, Undo takes it back.
    const undo = page.getByTestId('undo-pending')
    await expect(undo).toContainText(`Order #${placed.order.number} will be cancelled`)
    await undo.getByRole('button', { name: 'Undo' }).click()
    await expect(undo).toHaveCount(0)
    await page.waitForTimeout(7_000)
    expect((await fetchOrderAsAdmin(server, placed.order.id)).status).toBe('placed')
    await expect(track.getByTestId('order-status')).toHaveAttribute('data-status', 'placed')

    // Again, with a written reason, and let the window pass.
    await cancel.click()
    await dialog.getByLabel('Another reason…').check()
    await dialog.getByTestId('cancel-other').fill('The kitchen had a power cut')
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click()
    await expect(page.getByTestId('undo-pending')).toBeVisible()
    expect((await fetchOrderAsAdmin(server, placed.order.id)).status).toBe('placed')
    await expect(page.getByTestId('undo-outcome')).toContainText('changed to Cancelled', { timeout: 15_000 })
    const stored = await fetchOrderAsAdmin(server, placed.order.id)
    expect(stored).toMatchObject({ status: 'cancelled', cancelReason: 'The kitchen had a power cut' })

    // The customer's page follows live, with the reason.
    await expect(track.getByTestId('order-status')).toHaveAttribute('data-status', 'cancelled')
    await expect(track.getByTestId('cancel-reason')).toHaveText('Reason: The kitchen had a power cut')
    await expect(page.getByTestId('cancel-reason')).toContainText('The kitchen had a power cut')
  } finally {
    await admin.close()
    await customer.close()
  }
})

test('cancel, then the tab is closed inside the undo window: the cancellation is sent, not lost', async ({ browser, server }) => {
  const placed = await placeOrder(server, undefined, 'Closed Tab')
  const admin = await browser.newContext()
  await signInContext(admin, server)
  try {
    const page = await admin.newPage()
    await openOrder(page, server.url, placed.order.id)
    await page.getByRole('button', { name: 'Cancel order…' }).click()
    const dialog = page.getByRole('dialog', { name: /Cancel order #\d+\?/ })
    await dialog.getByLabel('Out of stock').check()
    await dialog.getByRole('button', { name: 'Cancel order', exact: true }).click()
    await expect(page.getByTestId('undo-pending')).toBeVisible()
    // The admin closes the tab at once: the page is torn down while the change is sent.
    await page.close({ runBeforeUnload: true })
    await expect.poll(async () => (await fetchOrderAsAdmin(server, placed.order.id)).status, { timeout: 10_000 }).toBe('cancelled')
    expect((await fetchOrderAsAdmin(server, placed.order.id)).cancelReason).toBe('Out of stock')
  } finally {
    await admin.close()
  }
})

test('board rows: the next status by tap and by keyboard, with the version check', async ({ browser, server }) => {
  const a = await placeOrder(server, undefined, 'Row Tap')
  const b = await placeOrder(server, undefined, 'Row Keys')
  const c = await placeOrder(server, undefined, 'Row Stale')
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true })
  await signInContext(context, server)
  try {
    const page = await context.newPage()
    await page.goto(`${server.url}/admin`)
    await expectLive(page)

    // Tap: the row's action is a real 44 px target.
    const rowA = page.locator(`[data-order-id="${a.order.id}"]`)
    const action = rowA.getByRole('button', { name: `Mark confirmed: order #${a.order.number}` })
    const box = await action.boundingBox()
    expect(box!.height).toBeGreaterThanOrEqual(44)
    await action.tap()
    await expect(rowA).toHaveAttribute('data-status', 'confirmed')
    await expect(rowA.getByRole('button', { name: /Mark preparing/ })).toBeVisible()
    expect((await fetchOrderAsAdmin(server, a.order.id)).status).toBe('confirmed')

    // Keyboard: from the row's link, Tab reaches its action, Enter applies it (and does not open the order).
    const rowB = page.locator(`[data-order-id="${b.order.id}"]`)
    await rowB.getByRole('link').focus()
    await page.keyboard.press('Tab')
    await expect(rowB.getByRole('button', { name: /Mark confirmed/ })).toBeFocused()
    await page.keyboard.press('Enter')
    await expect(rowB).toHaveAttribute('data-status', 'confirmed')
    await expect(page).toHaveURL(/\/admin$/)

    // Stale copy: another admin moves the order on while this PATCH is on its way; the row's
    // change is refused with the server's copy (409), never forced.
    const rowC = page.locator(`[data-order-id="${c.order.id}"]`)
    let raced = false
    await context.route(`**/api/orders/${c.order.id}`, async (route) => {
      if (route.request().method() === 'PATCH' && !raced) {
        raced = true
        await setStatus(server, c.order, 'confirmed')
      }
      await route.continue()
    })
    await rowC.getByRole('button', { name: /Mark confirmed/ }).click()
    await expect(page.getByTestId('undo-outcome').filter({ hasText: `#${c.order.number}` })).toContainText('Someone else changed')
    expect(raced).toBe(true)
    const stored = await fetchOrderAsAdmin(server, c.order.id)
    expect(stored).toMatchObject({ status: 'confirmed', version: 2 })
    await expect(rowC).toHaveAttribute('data-status', 'confirmed')
  } finally {
    await context.close()
  }
})
