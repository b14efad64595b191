import { statsSchema, type Stats } from '../../protocol'
import { request } from './client'

export function getStats(token: string): Promise<Stats> {
  return request('/api/stats', statsSchema, { token }) as Promise<Stats>
}
