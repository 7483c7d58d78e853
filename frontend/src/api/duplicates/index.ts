/** Duplicate requests and merge (并单, R-12345-18): docs/api.md "Duplicates and merge". */
import { http } from '@/api/request'
import type { Reply, TicketCreate, TicketPublic, TicketSummary } from '@/api/tickets/types'

export const DUPLICATE_REASONS = ['similar_text', 'same_caller', 'same_place'] as const
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number]

export interface DuplicateCandidate {
  ticket: TicketSummary
  score: number
  text_similarity: number
  reasons: DuplicateReason[]
  /** open, not merged, 12345: a ticket may be merged into it */
  mergeable_into: boolean
}

export interface MergeRecord {
  into: string
  by: string
  at: string
  from_status: string
  note?: string
  followed_at?: string
}

export interface TicketDuplicates {
  ticket_id: string
  window_days: number
  threshold: number
  items: DuplicateCandidate[]
  merge: MergeRecord | null
  /** the main ticket this one is merged into, with its result */
  main: (TicketSummary & { reply: Reply | null; closed_at: string | null }) | null
  /** the duplicates merged into this ticket */
  merged: TicketSummary[]
}

const path = (id: string) => `/tickets/${encodeURIComponent(id)}`

/** GET /tickets/{id}/duplicates */
export function getDuplicates(id: string): Promise<TicketDuplicates> {
  return http.get<TicketDuplicates>(`${path(id)}/duplicates`)
}

/** POST /duplicates/check: the candidates of an intake being typed (nothing is saved). */
export function checkDuplicates(
  body: Pick<TicketCreate, 'hotline' | 'title' | 'content' | 'caller' | 'location' | 'entity'>,
): Promise<{ items: DuplicateCandidate[]; window_days: number }> {
  return http.post<{ items: DuplicateCandidate[]; window_days: number }>('/duplicates/check', body)
}

/** POST /tickets/{id}/merge {"into"} (operator). */
export function mergeTicket(id: string, into: string, note = ''): Promise<TicketPublic> {
  return http.post<TicketPublic>(`${path(id)}/merge`, { into, note })
}

/** POST /tickets/{id}/unmerge (operator). */
export function unmergeTicket(id: string, reason = ''): Promise<TicketPublic> {
  return http.post<TicketPublic>(`${path(id)}/unmerge`, { reason })
}
