import { http } from '@/api/request'
import type { ConfirmResult, Confirmations, Person } from './types'

/** GET /me/confirmations: the five confirmations of R-12345-13 for the signed-in user. */
export function getConfirmations(): Promise<Confirmations> {
  return http.get<Confirmations>('/me/confirmations')
}

/** POST /me/confirmations/confirm: 逐项确认, tick one ticket of a group off (recorded, idempotent). */
export function confirmItem(group: string, ticketId: string): Promise<ConfirmResult> {
  return http.post<ConfirmResult>('/me/confirmations/confirm', { group, ticket_id: ticketId })
}

/** GET /people: staff by printed name for the pickers (owner filter, work owner, approver); `role` narrows. */
export function listPeople(role?: string): Promise<{ items: Person[] }> {
  return http.get<{ items: Person[] }>(role ? `/people?role=${encodeURIComponent(role)}` : '/people')
}
