/** Emergencies (突发事件): the banner's list and the leader's acknowledgement. */
import { http } from '@/api/request'
import type { TicketPublic } from '@/api/tickets/types'

export interface OpenEmergency {
  ticket_id: string
  title: string
  hotline: string
  at: string
  by_keyword?: boolean
  keywords?: string[]
}

/** GET /emergencies: unacknowledged emergencies, oldest first. */
export function listEmergencies(): Promise<{ items: OpenEmergency[]; can_acknowledge: boolean }> {
  return http.get<{ items: OpenEmergency[]; can_acknowledge: boolean }>('/emergencies')
}

/** POST /tickets/{id}/emergency/acknowledge (leader). */
export function acknowledgeEmergency(ticketId: string, note = ''): Promise<TicketPublic> {
  return http.post<TicketPublic>(`/tickets/${encodeURIComponent(ticketId)}/emergency/acknowledge`, { note })
}

/** POST /tickets/{id}/emergency (operator, leader). */
export function flagEmergency(ticketId: string, note = ''): Promise<TicketPublic> {
  return http.post<TicketPublic>(`/tickets/${encodeURIComponent(ticketId)}/emergency`, { note })
}
