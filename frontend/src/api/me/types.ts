import type { TicketListQuery, TicketSummary } from '@/api/tickets/types'

/** Keys of the five confirmations (R-12345-13) for operators/leaders/analysts, and the unit handler's three. */
export type ConfirmationKey =
  | 'new'
  | 'extensions_returns'
  | 'due_soon'
  | 'to_confirm'
  | 'to_submit_archive'
  | 'to_sign'
  | 'redo'

/** A group's item: the ticket, its first deadline (UTC ISO) and whether it has passed (R-12345-13 urgency). */
export type ConfirmationItem = TicketSummary & { deadline?: string | null; overdue?: boolean }

export interface ConfirmationGroup {
  key: ConfirmationKey | string
  /** Chinese title from the server (used when the UI has no translation for the key). */
  title?: string
  /** Counted up to 50 per status; `more` = there are more than counted. */
  count: number
  more?: boolean
  /** The first few (≤ 5) tickets of the group not yet confirmed, most urgent first. */
  items: ConfirmationItem[]
  /** Not yet confirmed by the user / confirmed / past their deadline. */
  pending?: number
  confirmed?: number
  overdue?: number
  /** The GET /tickets queries of the whole group (查看全部), one per status for a group of several. */
  list?: TicketListQuery[]
}

/** POST /me/confirmations/confirm → what was recorded (`created: false` when it already was). */
export interface ConfirmResult {
  group: string
  ticket_id: string
  confirmed_at: string
  created: boolean
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

/** A colleague to choose by name (GET /people): `name` as printed (name with the unit), `user_id` is sent. */
export interface Person {
  user_id: string
  name: string
  role: string | null
}
