/**
 * When a tab must resync (docs/architecture.md, "Reconnects"): the hub bumps `syncEpoch` on every reconnect
 * that was not recovered, and a new hub (leader hand-over, restarted worker) has a new `hubId`.
 * Either means events may have been missed, so the tab refetches what it shows before it reports
 * `live`. Pure, so the cursor logic is unit-tested without a hub.
 */
import type { HubStatus, Interest } from '@shared/hubTypes'

/** Identifies one unbroken stream of events from one hub. */
export function syncKeyOf(status: Pick<HubStatus, 'hubId' | 'syncEpoch'>): string {
  return `${status.hubId ?? '-'}:${status.syncEpoch ?? 0}`
}

export interface ResyncTracker {
  /** The key of the stream the tab has caught up with; null before the first live status. */
  synced: string | null
}

/**
 * Whether this status starts a stream the tab has not caught up with. Only a `live` status
 * counts: while connecting or polling there is no stream to catch up with yet, and the fallback
 * poll carries updates.
 */
export function needsResync(tracker: ResyncTracker, status: Pick<HubStatus, 'state' | 'hubId' | 'syncEpoch'>): boolean {
  return status.state === 'live' && syncKeyOf(status) !== tracker.synced
}

/** What a tab refetches on resync, from what it watches and what it holds. */
export interface ResyncPlan {
  orders: { orderId: string; token: string }[]
  /** Change log after this seq (admin watching, a cursor held). */
  adminChangesAfter: number | null
  /** Refetch the first board page instead (admin watching, no cursor yet, a board shown). */
  adminList: boolean
  adminStats: boolean
}

export function planResync(input: {
  interests: readonly Interest[]
  adminToken: string | null
  lastSeq: number
  boardLoaded: boolean
  statsLoaded: boolean
}): ResyncPlan {
  const orders = input.interests.flatMap((interest) =>
    interest.kind === 'order' ? [{ orderId: interest.orderId, token: interest.token }] : [],
  )
  const admin = input.adminToken !== null && input.interests.some((interest) => interest.kind === 'admin')
  return {
    orders,
    adminChangesAfter: admin && input.lastSeq > 0 ? input.lastSeq : null,
    adminList: admin && input.lastSeq === 0 && input.boardLoaded,
    adminStats: admin && input.statsLoaded,
  }
}
