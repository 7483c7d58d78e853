import { http } from '@/api/request'
import type { Delivery, Partner, PartnerCreate, PartnerKey } from './types'

export function listPartners(): Promise<{ items: Partner[] }> {
  return http.get<{ items: Partner[] }>('/admin/partners')
}

export function getPartner(id: string): Promise<Partner> {
  return http.get<Partner>(`/admin/partners/${encodeURIComponent(id)}`)
}

/** 201 with `keys[0].secret` / `api_key`: shown only in this answer. */
export function createPartner(body: PartnerCreate): Promise<Partner> {
  return http.post<Partner>('/admin/partners', body)
}

export function rotateKey(id: string, graceHours: number): Promise<PartnerKey> {
  return http.post<PartnerKey>(`/admin/partners/${encodeURIComponent(id)}/keys`, { grace_hours: graceHours })
}

export function revokeKey(id: string, keyId: string): Promise<PartnerKey> {
  return http.post<PartnerKey>(`/admin/partners/${encodeURIComponent(id)}/keys/${encodeURIComponent(keyId)}/revoke`)
}

export function listDeliveries(id: string, before?: string | null): Promise<{ items: Delivery[]; next_before: string | null }> {
  return http.get<{ items: Delivery[]; next_before: string | null }>(`/admin/partners/${encodeURIComponent(id)}/deliveries`, {
    limit: 50,
    before: before ?? undefined,
  })
}
