import { z } from 'zod/mini'
import { en } from 'zod/locales'
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

// The protocol schemas are written with zod/mini, which loads no messages of its own; the
// server's 400s name what is wrong in English ("Too big: expected string to have <=100
// characters"), the browser surfaces do not need these words and leave them out.
z.config(en())

/** Parses with a zod schema (the protocol's or a route's own); a failure becomes a 400 with its messages. */
export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown): z.output<S> {
  const result = z.safeParse(schema, value)
  if (!result.success) throw validationError(result.error)
  return result.data
}
