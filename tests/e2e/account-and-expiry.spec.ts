/**
 * Ending access from the browser: "Sign out everywhere" on the admin's diagnostics page ends the
 * admin's tokens in every other browser too, and a tracking link past its lifetime says plainly
 * that it has expired instead of "doesn't work".
 */
import { placeOrder, setStatus, trackingPath } from '../../harness/api'
import { expect, test } from './fixtures'
import { signIn } from './hub-support'

// A link expires about a second after its order ended, so the test need not wait 30 days.
test.use({ serverOptions: { env: { ORDERLINE_TRACKING_TTL_DAYS: '0.00001' } } })

test('sign out everywhere ends the session in another browser as well', async ({ browser, server }) => {
  test.setTimeout(90_000)
  const here = await browser.newContext()
  const elsewhere = await browser.newContext()
  try {
    const page = await here.newPage()
    const other = await elsewhere.newPage()
    await signIn(page, server)
    await signIn(other, server)

    await page.goto(server.url + '/admin/diagnostics')
    await page.getByTestId('sign-out-everywhere').click()
    await expect(page).toHaveURL(/\/login/)

    // The other browser still holds its token; the server no longer accepts it.
    await other.reload()
    await expect(other).toHaveURL(/\/login/, { timeout: 15_000 })
  } finally {
    await here.close()
    await elsewhere.close()
  }
})

test('a tracking link of an order that ended long enough ago says it has expired', async ({ browser, server }) => {
  const { order, trackingToken } = await placeOrder(server)
  await setStatus(server, order, 'cancelled')
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(server.url + trackingPath(order, trackingToken))
    await expect(page.getByRole('heading', { name: 'This tracking link has expired' })).toBeVisible()
    await expect(page.getByRole('alert').getByRole('link', { name: 'My orders' })).toBeVisible()
  } finally {
    await context.close()
  }
})
