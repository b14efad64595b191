import type { z } from 'zod'
import type { ServerConfig } from '../config'
import type { RealtimeAdapter } from '../realtime/adapter'
import type { Publisher } from '../realtime/publisher'
import type { OrderlineServer } from '../realtime/types'
import type { Store } from '../store/index'
import type { Auth } from './auth'
import { validationError } from './errors'
import type { Metrics } from './metrics'

/** What every route module needs; passed explicitly rather than decorated onto Fastify. */
export interface AppContext {
  config: ServerConfig
  store: Store
  auth: Auth
  metrics: Metrics
  io: OrderlineServer
  publisher: Publisher
  /** The Redis adapter when REDIS_URL is set: readiness asks it too. */
  redis: RealtimeAdapter | null
}

/** Parses with a protocol schema; a failure becomes a 400 with the schema's own messages. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw validationError(result.error)
  return result.data
}
