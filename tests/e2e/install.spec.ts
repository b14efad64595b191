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

    interface ImageResource {
      src: string
      sizes: string
      type?: string
      purpose?: string
      form_factor?: string
      label?: string
    }
    const manifest = (await (await fetch(server.url + '/manifest.webmanifest')).json()) as {
      display: string
      start_url: string
      orientation?: string
      categories?: string[]
      background_color: string
      launch_handler?: { client_mode: string | string[] }
      icons: ImageResource[]
      shortcuts: { name: string; url: string; icons: ImageResource[] }[]
      screenshots?: ImageResource[]
    }
    expect(manifest.display).toBe('standalone')
    expect(manifest.start_url).toBe('/')
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['96x96', '192x192', '512x512']))
    expect(manifest.icons.some((icon) => icon.purpose === 'maskable')).toBe(true)
    expect(manifest.orientation).toBeTruthy()
    expect(manifest.categories?.length).toBeGreaterThan(0)
    expect(manifest.launch_handler).toEqual({ client_mode: 'focus-existing' })
    // Not white: the manifest has one splash colour for light and dark mode alike.
    expect(manifest.background_color.toLowerCase()).not.toBe('#ffffff')

    // Customers' shortcuts only, each with a typed 96 px icon.
    expect(manifest.shortcuts.map((shortcut) => shortcut.url)).not.toContain('/admin')
    expect(manifest.shortcuts.every((shortcut) => !shortcut.url.startsWith('/admin'))).toBe(true)
    for (const shortcut of manifest.shortcuts) {
      expect(
        shortcut.icons.some((icon) => icon.sizes === '96x96' && icon.type === 'image/png'),
        shortcut.name,
      ).toBe(true)
    }

    // Every image resource is typed and is what it says: a PNG of the declared size.
    const images = [...manifest.icons, ...manifest.shortcuts.flatMap((shortcut) => shortcut.icons), ...(manifest.screenshots ?? [])]
    for (const image of images) {
      expect(image.type, image.src).toBe('image/png')
      const response = await fetch(new URL(image.src, server.url))
      expect(response.status, image.src).toBe(200)
      const bytes = Buffer.from(await response.arrayBuffer())
      expect(bytes.subarray(1, 4).toString('ascii'), image.src).toBe('PNG')
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`, image.src).toBe(image.sizes)
    }

    // The richer install UI: at least one narrow and one wide screenshot, labelled, within
    // Chrome's limits (320-3840 px a side, the long side at most 2.3 times the short one).
    const screenshots = manifest.screenshots ?? []
    for (const factor of ['narrow', 'wide']) {
      const shot = screenshots.find((item) => item.form_factor === factor)
      expect(shot, factor).toBeDefined()
      expect(shot!.label).toBeTruthy()
      const [width, height] = shot!.sizes.split('x').map(Number) as [number, number]
      expect(Math.min(width, height)).toBeGreaterThanOrEqual(320)
      expect(Math.max(width, height)).toBeLessThanOrEqual(3840)
      expect(Math.max(width, height) / Math.min(width, height)).toBeLessThanOrEqual(2.3)
      expect(factor === 'narrow' ? height > width : width > height).toBe(true)
    }
    // Chromium itself parsed those fields without complaint.
    const parsed = (await cdp.send('Page.getAppManifest')) as { errors: { message: string; critical: number }[] }
    expect(parsed.errors).toEqual([])
  } finally {
    await context.close()
    rmSync(userDataDir, { recursive: true, force: true })
  }
})
