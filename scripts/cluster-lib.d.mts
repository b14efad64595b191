// Types for cluster-lib.mjs (used from the TypeScript cluster tests and the fan-out bench).
export declare const ROOT: string
/** Resolves with the first truthy value of `check()`. */
export declare function waitFor<T>(
  check: () => T | Promise<T>,
  options?: { timeoutMs?: number; intervalMs?: number; message?: string },
): Promise<Exclude<T, null | undefined | false | 0 | ''>>
export declare function freePort(): Promise<number>
export declare function findNginx(): string | null
export declare function findRedisServer(): string | null

export interface ExitStatus {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface ClusterNode {
  readonly url: string
  readonly port: number
  readonly pid: number | undefined
  readonly running: boolean
  readonly exited: Promise<ExitStatus>
  output(): string
  kill(): Promise<ExitStatus>
  stop(graceMs?: number): Promise<ExitStatus>
  start(): Promise<void>
}
export declare function startNode(options?: { port?: number; env?: Record<string, string>; readyTimeoutMs?: number }): Promise<ClusterNode>

export interface RedisProcess {
  readonly url: string
  readonly port: number
  readonly running: boolean
  kill(): Promise<ExitStatus>
  stop(): Promise<ExitStatus>
  start(): Promise<void>
}
export declare function startRedis(options?: { port?: number }): Promise<RedisProcess>

export declare function renderNginxConfig(options: { listenPort: number; upstreamPorts: number[]; prefix: string; site?: string }): string

export interface NginxProcess {
  readonly url: string
  readonly port: number
  readonly config: string
  errorLog(): string
  stop(): Promise<void>
}
export declare function startNginx(options: { upstreamPorts: number[]; listenPort?: number }): Promise<NginxProcess>
