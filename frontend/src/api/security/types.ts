/** One security-log entry (R-SEC-01/02): an access, a login or an admin change. */
export interface SecurityEntry {
  id: string
  action: string
  kind: 'access' | 'change' | 'login'
  user_id: string
  /** The person as printed (name with the unit); null for an account the Directory does not know. */
  user_name?: string | null
  role: string
  unit_id: string | null
  at: string
  ticket_id?: string | null
  target?: string | null
  reason?: string
  before?: unknown
  after?: unknown
  /** where the write-once copy lies in the archive bucket */
  record?: string | null
  /** the reader's own entry (shown read-only, marked) */
  own: boolean
  [key: string]: unknown
}

export interface SecurityLogQuery {
  kind?: string
  action?: string
  actor?: string
  from?: string
  to?: string
  page?: string
}

export interface SecurityLogPage {
  items: SecurityEntry[]
  next_page: string | null
  from: string
  to: string
}
