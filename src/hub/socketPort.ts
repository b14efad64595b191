/**
 * The hub's view of its one socket: just what it needs, so the hub can be unit tested with a
 * fake and hosted anywhere (SharedWorker, leader tab, plain page). `socketIo.ts` adapts the real
 * socket.io-client to it.
 */

export interface SocketHandlers {
  /** `recovered`: the server restored rooms and replayed missed packets (connection state recovery). */
  onConnect(recovered: boolean): void
  onDisconnect(reason: string): void
  /** `willRetry` false: the server refused the handshake (e.g. a bad token); the adapter retries slowly. */
  onConnectError(message: string, willRetry: boolean): void
  /** Any server → client event, not yet validated. */
  onEvent(name: string, payload: unknown): void
}

export interface HubSocket {
  readonly connected: boolean
  /** Emits with an acknowledgement; rejects on timeout or disconnect. The answer is untrusted. */
  emitWithAck(event: 'watchOrder' | 'unwatchOrder', payload: unknown, timeoutMs: number): Promise<unknown>
  /** Disconnects for good and detaches every handler. */
  close(): void
}

/** Creates and connects a socket (autoConnect) with the given handshake auth. */
export type SocketFactory = (auth: { token?: string }, handlers: SocketHandlers) => HubSocket
