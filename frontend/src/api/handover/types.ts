export type HandoverStatus = 'requested' | 'approved' | 'active' | 'ended' | 'rejected'

/** A hand-over (代办) of an operator's open tickets to another operator (R-12345-03). */
export interface Handover {
  id: string
  from_id: string
  to_id: string
  start: string
  end: string
  reason: string
  status: HandoverStatus
  requested_by: string
  requested_at: string
  decided_by?: string
  decided_at?: string
  note?: string
  started_at?: string
  ended_at?: string
  tickets: string[]
  /** Its people as printed (name with the unit), by field: from_id, to_id, requested_by, decided_by. */
  names?: Partial<Record<'from_id' | 'to_id' | 'requested_by' | 'decided_by', string>>
}

export interface HandoverRequest {
  to_id: string
  end: string
  start?: string
  reason: string
  /** leaders only: whose tickets */
  from_id?: string
}

/** What an active hand-over writes on each ticket. */
export interface Delegate {
  handover_id: string
  user_id: string
  from_id: string
  until: string
  /** The delegate as printed (name with the unit; in GET /tickets/{id}), null when no name is known. */
  name?: string | null
}
