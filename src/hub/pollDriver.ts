/**
 * The hub's fallback poll timer (docs/architecture.md): while the socket is not live (or disabled) and a
 * tab wants something, one tick per interval for the whole browser, each relayed by ONE tab to
 * the service worker. The timer lives here, in the long-lived hub, because the service worker is
 * stopped after ~30 s idle and must never rely on its own setInterval.
 */
import { failedPoll, type PollOutcome, type PollPlan } from '@shared/hubTypes'
import { afterPoll, INITIAL_POLL_STATE, nextPollDelay, type PollScheduleState } from './pollSchedule'

export interface PollDriverDeps {
  intervalMs: number
  /** The plan for this tick, or null when there is nothing to poll. */
  plan(): PollPlan | null
  /** Asks one tab to relay the plan; resolves with its outcome (never rejects). */
  relay(plan: PollPlan): Promise<PollOutcome>
  /** The hub learns from every outcome (versions, terminal orders, admin cursor, state). */
  onOutcome(outcome: PollOutcome): void
  random?: () => number
}

export class PollDriver {
  private state: PollScheduleState = INITIAL_POLL_STATE
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false
  private inFlight = false
  private wanted = false

  constructor(private readonly deps: PollDriverDeps) {}

  /** Consecutive failures, for diagnostics. */
  get failures(): number {
    return this.state.failures
  }

  get active(): boolean {
    return this.running
  }

  /** Starts or stops the schedule; idempotent, so the hub calls it on every state change. */
  setWanted(wanted: boolean): void {
    this.wanted = wanted
    if (wanted && !this.running) {
      this.running = true
      this.schedule()
    } else if (!wanted && this.running) {
      this.running = false
      clearTimeout(this.timer)
      this.timer = undefined
      this.state = INITIAL_POLL_STATE
    }
  }

  /** Immediate catch-up (a tab came back to the foreground, the network returned). */
  pollNow(): void {
    if (!this.running) return
    clearTimeout(this.timer)
    void this.tick()
  }

  stop(): void {
    this.setWanted(false)
  }

  private schedule(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.tick(), nextPollDelay(this.state, this.deps.intervalMs, this.deps.random))
  }

  private async tick(): Promise<void> {
    this.timer = undefined
    if (!this.running || this.inFlight) return
    const plan = this.deps.plan()
    if (!plan) {
      this.schedule()
      return
    }
    this.inFlight = true
    let outcome: PollOutcome
    try {
      outcome = await this.deps.relay(plan)
    } catch {
      outcome = failedPoll()
    } finally {
      this.inFlight = false
    }
    this.state = afterPoll(this.state, outcome.ok)
    this.deps.onOutcome(outcome)
    if (this.running && this.wanted) this.schedule()
  }
}
