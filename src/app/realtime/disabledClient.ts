/**
 * VITE_ENABLE_SOCKET=false: no socket anywhere. Watches succeed as no-ops so the app code is
 * the same in every mode; the fallback poll keeps the data moving.
 */
import type { Ack, ServerEvent } from '../../protocol'
import { initialStatus } from './status'
import type { HubMode, HubStatus, RealtimeClient } from '../../shared/hubTypes'

export class DisabledRealtimeClient implements RealtimeClient {
  readonly mode: HubMode = 'disabled'
  private readonly status: HubStatus = initialStatus('disabled')

  onEvent(_listener: (event: ServerEvent) => void): () => void {
    return () => {}
  }

  onStatus(listener: (status: HubStatus) => void): () => void {
    listener(this.status)
    return () => {}
  }

  async watchOrder(_orderId: string, _token: string): Promise<Ack> {
    return { ok: true }
  }

  async unwatchOrder(_orderId: string): Promise<void> {}

  async watchAdmin(): Promise<Ack> {
    return { ok: true }
  }

  async unwatchAdmin(): Promise<void> {}

  async setCredentials(_token: string | null): Promise<void> {}

  close(): void {}
}
