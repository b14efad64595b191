/**
 * The page events a tab's hub connection reacts to, in one place: leaving or entering the
 * back/forward cache (`pagehide`/`pageshow` with `persisted`) and becoming visible again.
 * Returns the detach function.
 */
export interface PageLifecycleHandlers {
  /** The page is going away, or into the back/forward cache (`persisted`). */
  hide(persisted: boolean): void
  /** Restored from the back/forward cache. */
  restore(): void
  /** The visibility changed (read `document.visibilityState`). */
  visibility(): void
}

export function watchPageLifecycle(handlers: PageLifecycleHandlers): () => void {
  const onPageHide = (event: Event): void => handlers.hide((event as PageTransitionEvent).persisted === true)
  const onPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted) handlers.restore()
  }
  const onVisibility = (): void => handlers.visibility()
  globalThis.addEventListener?.('pagehide', onPageHide)
  globalThis.addEventListener?.('pageshow', onPageShow)
  globalThis.document?.addEventListener?.('visibilitychange', onVisibility)
  return () => {
    globalThis.removeEventListener?.('pagehide', onPageHide)
    globalThis.removeEventListener?.('pageshow', onPageShow)
    globalThis.document?.removeEventListener?.('visibilitychange', onVisibility)
  }
}
