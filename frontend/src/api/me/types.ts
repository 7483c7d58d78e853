import type { TicketSummary } from '@/api/tickets/types'

/** Keys of the five confirmations (R-12345-13) for operators, and the unit handler's three. */
export type ConfirmationKey =
  | 'new_tickets'
  | 'extensions_and_returns'
  | 'due_soon'
  | 'to_confirm'
  | 'to_submit_or_archive'
  | 'to_sign'
  | 'redo'

export interface ConfirmationGroup {
  key: ConfirmationKey | string
  count: number
  items: TicketSummary[]
}

export interface Confirmations {
  role: string
  items: ConfirmationGroup[]
}
