/**
 * When the next fallback poll tick is due (docs/architecture.md). Pure: the hub keeps the state and owns
 * the timer; this module only says how long to wait, so jitter and backoff are unit-tested.
 *
 * - Jitter (±20 %) keeps many browsers that lost the socket at the same moment (a server restart)
 *   from polling in lock step.
 * - Failures back off exponentially up to a minute, so a dead network or server is not hammered;
 *   one success resets to the normal interval.
 */

const POLL_JITTER = 0.2
export const POLL_MAX_BACKOFF_MS = 60_000

export interface PollScheduleState {
  /** Consecutive failed polls (0 after a success). */
  failures: number
}

export const INITIAL_POLL_STATE: PollScheduleState = { failures: 0 }

/** The state after a poll: failures counted, reset by a success. */
export function afterPoll(state: PollScheduleState, ok: boolean): PollScheduleState {
  return { failures: ok ? 0 : state.failures + 1 }
}

/**
 * Milliseconds until the next tick: `intervalMs · 2^failures`, capped at POLL_MAX_BACKOFF_MS
 * (but never below the interval itself), then ±20 % jitter. `random` is injectable for tests.
 */
export function nextPollDelay(state: PollScheduleState, intervalMs: number, random: () => number = Math.random): number {
  const base = Math.max(1, intervalMs)
  const backedOff = Math.min(base * 2 ** Math.min(state.failures, 16), Math.max(POLL_MAX_BACKOFF_MS, base))
  const jitter = 1 + POLL_JITTER * (2 * random() - 1)
  return Math.round(backedOff * jitter)
}
