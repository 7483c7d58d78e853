/**
 * 查看全部 of a confirmation group (R-12345-13): the server names the GET /tickets queries of the whole
 * group (`list`); this turns one into the ticket list's route (its query in the URL) and the list's saved
 * filters (due_before as Shanghai wall-clock time, as the list's filter holds it).
 */
import type { RouteLocationRaw } from 'vue-router'
import type { TicketListQuery } from '@/api/tickets/types'
import { formatDateTime } from '@/utils/format'

export interface ListTarget {
  to: RouteLocationRaw
  filters: TicketListQuery
}

export function listTarget(query: TicketListQuery, unitHandler: boolean): ListTarget {
  const filters: TicketListQuery = { ...query }
  if (filters.due_before) filters.due_before = formatDateTime(filters.due_before)
  const urlQuery: Record<string, string> = {}
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') urlQuery[k] = String(v)
  return { to: { name: unitHandler ? 'unit-tickets' : 'tickets', query: urlQuery }, filters }
}
