import { http } from '@/api/request'
import type { Handover, HandoverRequest } from './types'

export function listHandovers(): Promise<{ items: Handover[] }> {
  return http.get<{ items: Handover[] }>('/handovers')
}

export function requestHandover(body: HandoverRequest): Promise<Handover> {
  return http.post<Handover>('/handovers', body)
}

/** A leader approves (active at once when its start has come) or rejects (a note is required). */
export function decideHandover(id: string, approve: boolean, note?: string): Promise<Handover> {
  return http.post<Handover>(`/handovers/${encodeURIComponent(id)}/decide`, { approve, note })
}
