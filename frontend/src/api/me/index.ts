import { http } from '@/api/request'
import type { ConfirmResult, Confirmations } from './types'

/** GET /me/confirmations: the five confirmations of R-12345-13 for the signed-in user. */
export function getConfirmations(): Promise<Confirmations> {
  return http.get<Confirmations>('/me/confirmations')
}

/** POST /me/confirmations/confirm: 逐项确认, tick one ticket of a group off (recorded, idempotent). */
export function confirmItem(group: string, ticketId: string): Promise<ConfirmResult> {
  return http.post<ConfirmResult>('/me/confirmations/confirm', { group, ticket_id: ticketId })
}
