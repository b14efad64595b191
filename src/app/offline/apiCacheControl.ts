/**
 * Per-user caches (docs/architecture.md, "Caches"): a logout in any tab drops the service worker's
 * cached admin answers. The tab that logs out tells the SW directly; the other tabs learn of it
 * through the session's storage event, and the SW's purge is idempotent, so any of them may repeat
 * it.
 */
import { tellWorker } from './swClient'

export function clearApiCache(): void {
  void tellWorker({ type: 'clear-api-cache' }).catch(() => undefined)
}
