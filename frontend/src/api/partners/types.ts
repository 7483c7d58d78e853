export interface PartnerKey {
  key_id: string
  partner_id: string
  status: 'active' | 'revoked' | string
  created_at: string
  expires_at: string | null
  revoked_at: string | null
  /** only in the answer that created the key */
  secret?: string
  api_key?: string
}

export interface Partner {
  partner_id: string
  name: string
  webhook_url: string | null
  webhook_events: string[]
  rate_per_minute: number | null
  created_at: string
  updated_at: string
  keys?: PartnerKey[]
}

export interface PartnerCreate {
  partner_id: string
  name: string
  webhook_url?: string
  webhook_events?: string[]
  rate_per_minute?: number
}

export interface DeliveryAttempt {
  n: number
  at: string
  url: string | null
  status_code: number | null
  ok: boolean
  error: string | null
  duration_ms: number
}

export interface Delivery {
  id: string
  event_id: string
  type: string
  number: string | null
  ticket_id: string
  status: string
  attempt_count: number
  attempts: DeliveryAttempt[]
  created_at: string
  last_attempt_at?: string
  next_attempt_at?: string | null
  pending: boolean
}
