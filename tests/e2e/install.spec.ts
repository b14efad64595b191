/**
 * The app is installable: manifest, icons and a service worker that controls the page.
 * Checked in a persistent context, since Chromium reports `in-incognito` otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { CHROMIUM_ARGS } from '../../playwright.config'
import { findChromium } from '../../scripts/chromium.mjs'
import { expect, test } from './fixtures'

test('installable in Chromium: no installability errors, manifest complete', async ({ server }) => {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'orderline-profile-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium() ?? undefined,
    args: CHROMIUM_ARGS,
    headless: true,
  })
  try {
    const page = await context.newPage()
    await page.goto(server.url + '/')
    // The service worker must be active and controlling before Chromium judges installability.
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active !== null)
    await page.reload()
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null)

    const cdp = await context.newCDPSession(page)
    let errors: unknown[] = []
    await expect
      .poll(
        async () => {
          const result = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] }
          errors = result.installabilityErrors
          return errors.length
        },
        { timeout: 15_000 },
      )
      .toBe(0)
    expect(errors).toEqual([])

    const manifest = (await (await fetch(server.url + '/manifest.webmanifest')).json()) as {
      display: string
      start_url: string
      icons: { sizes: string; purpose?: string }[]
    }
    expect(manifest.display).toBe('standalone')
    expect(manifest.start_url).toBe('/')
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']))
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true)
  } finally {
    await context.close()
    rmSync(userDataDir, { recursive: true, force: true })
  }
})
