/**
 * Tab liveness, tab side: hold a uniquely named Web Lock for the page's whole life. The hub
 * queues a request for the same name and is granted it only when this tab is gone (closed,
 * crashed, discarded) — the close event a MessagePort does not have.
 * See docs/architecture.md, "The hub and its hosts".
 */

export const tabLockName = (tabId: string): string => `orderline-tab-${tabId}`

/**
 * Resolves once the lock is held (the hub must not request it before that, or it would be
 * granted at once), with a function that releases it. Resolves null without Web Locks.
 */
export function holdTabLock(name: string, locks: LockManager | undefined = globalThis.navigator?.locks): Promise<(() => void) | null> {
  if (!locks) return Promise.resolve(null)
  return new Promise((resolveHeld) => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    locks
      .request(name, () => {
        resolveHeld(release)
        return held
      })
      .catch(() => resolveHeld(null))
  })
}
