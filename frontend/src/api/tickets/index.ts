import { http } from '@/api/request'
import type {
  ActionBody,
  Page,
  TicketCreate,
  TicketEvent,
  TicketListQuery,
  TicketPublic,
  TicketSummary,
  Verb,
} from './types'

const enc = encodeURIComponent

/** GET /tickets: one page; `page` is the opaque token of the previous answer's `next_page`. */
export function listTickets(query: TicketListQuery, signal?: AbortSignal): Promise<Page<TicketSummary>> {
  return http.get<Page<TicketSummary>>('/tickets', { ...query }, { signal })
}

/**
 * GET /tickets/{id}; a `reveal` reason code asks for unmasked caller data, and the server records each
 * such view with its reason in its access log, readable by auditors at GET /tickets/{id}/pii-views (R-12345-11).
 */
export function getTicket(id: string, revealReason = ''): Promise<TicketPublic> {
  return http.get<TicketPublic>(`/tickets/${enc(id)}`, revealReason ? { reveal: 1, reason: revealReason } : undefined)
}

/** GET /tickets/{id}/events, oldest first. */
export function getTicketEvents(id: string): Promise<{ items: TicketEvent[] }> {
  return http.get<{ items: TicketEvent[] }>(`/tickets/${enc(id)}/events`)
}

/** POST /tickets (operator). */
export function createTicket(body: TicketCreate): Promise<TicketPublic> {
  return http.post<TicketPublic>('/tickets', body)
}

/** POST /tickets/{id}/{verb}: one transition; returns the updated ticket. */
export function runAction(id: string, verb: Verb, body: ActionBody): Promise<TicketPublic> {
  return http.post<TicketPublic>(`/tickets/${enc(id)}/${verb}`, body)
}
