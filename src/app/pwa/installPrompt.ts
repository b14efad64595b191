/**
 * Captures `beforeinstallprompt` as soon as this module loads (the event can fire before any
 * component mounts) and keeps it until the user asks to install.
 */
import { shallowRef } from 'vue'

/** Chromium's install prompt event (not in lib.dom). */
export interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed'; platform: string }>
}

export const deferredInstallPrompt = shallowRef<BeforeInstallPromptEvent | null>(null)

if (typeof window !== 'undefined') {
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault() // keep the browser's mini-infobar away; we show our own button
    deferredInstallPrompt.value = event as BeforeInstallPromptEvent
  })
  window.addEventListener('appinstalled', () => {
    deferredInstallPrompt.value = null
  })
}

/** Shows the browser's install dialog; the captured event can be used once. */
export async function promptInstall(): Promise<'accepted' | 'dismissed' | 'unavailable'> {
  const event = deferredInstallPrompt.value
  if (!event) return 'unavailable'
  deferredInstallPrompt.value = null
  await event.prompt()
  return (await event.userChoice).outcome
}

/** iPhone/iPad Safari, not already installed: the only way to install is Share → Add to Home Screen. */
export function isIosBrowserTab(): boolean {
  if (typeof navigator === 'undefined') return false
  const ios = /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1)
  const standalone = (navigator as Navigator & { standalone?: boolean }).standalone === true
  return ios && !standalone
}
