import { http } from '@/api/request'
import type { ReplyTemplate, Unit } from './types'

/** GET /units: handling units with their contacts. */
export function listUnits(): Promise<{ items: Unit[] }> {
  return http.get<{ items: Unit[] }>('/units')
}

/** GET /reply-templates: one template per category (R-12345-06). */
export function listReplyTemplates(): Promise<{ items: ReplyTemplate[] }> {
  return http.get<{ items: ReplyTemplate[] }>('/reply-templates')
}
