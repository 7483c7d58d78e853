import type { TicketSummary } from '@/api/tickets/types'

/** Keys of the five confirmations (R-12345-13) for operators/leaders/analysts, and the unit handler's three. */
export type ConfirmationKey =
  | 'new'
  | 'extensions_returns'
  | 'due_soon'
  | 'to_confirm'
  | 'to_submit_archive'
  | 'to_sign'
  | 'redo'

export interface ConfirmationGroup {
  key: ConfirmationKey | string
  /** Chinese title from the server (used when the UI has no translation for the key). */
  title?: string
  /** Counted up to 50 per status; `more` = there are more than counted. */
  count: number
  more?: boolean
  /** The first few (≤ 5) tickets of the group. */
  items: TicketSummary[]
}

export interface ConfirmationWarning {
  code?: string
  message?: string
  [k: string]: unknown
}

/** GET /me/confirmations (docs/api.md). */
export interface Confirmations {
  role: string
  groups: ConfirmationGroup[]
  warnings?: (ConfirmationWarning | string)[]
  open_tasks?: number
  /** R-12345-03: tickets this operator acts on for an absent owner (active hand-overs) */
  delegated?: TicketSummary[]
}
