/** Ticket shapes of docs/api.md (TicketCreate / TicketSummary / TicketPublic / Event). */
import type { Role } from '@/api/auth/types'

export type TicketStatus =
  | 'received'
  | 'dispatched'
  | 'handling'
  | 'replied'
  | 'reviewed'
  | 'called_back'
  | 'submitted'
  | 'closed'
  | 'returned'
  | 'extension_requested'

export const STATUSES: TicketStatus[] = [
  'received',
  'dispatched',
  'handling',
  'replied',
  'reviewed',
  'called_back',
  'submitted',
  'closed',
  'returned',
  'extension_requested',
]

export type Category = 'consult' | 'help' | 'complaint' | 'report' | 'suggestion' | 'praise'
export const CATEGORIES: Category[] = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise']

export type Channel = 'phone' | 'web' | 'app' | 'wechat' | 'letter' | 'city'
export const CHANNELS: Channel[] = ['phone', 'web', 'app', 'wechat', 'letter', 'city']

export type Hotline = '12345' | '12369'

export type FlagName = 'overdue' | 'dispatch_overdue' | 'difficult' | 'supervised' | 'typical'
export const FLAG_NAMES: FlagName[] = ['overdue', 'dispatch_overdue', 'difficult', 'supervised', 'typical']
export type Flags = Record<FlagName, boolean>

export type Verb =
  | 'dispatch'
  | 'sign'
  | 'return'
  | 'transfer'
  | 'request-extension'
  | 'decide-extension'
  | 'reply'
  | 'review'
  | 'callback'
  | 'submit'
  | 'close'
  | 'city-reject'
  | 'reassign'
  | 'flag-difficult'
  | 'leader-decision'
  | 'flag-supervised'
  | 'mark-typical'
  | 'record-call'

export const VERBS: Verb[] = [
  'dispatch',
  'sign',
  'return',
  'transfer',
  'request-extension',
  'decide-extension',
  'reply',
  'review',
  'callback',
  'submit',
  'close',
  'city-reject',
  'reassign',
  'flag-difficult',
  'leader-decision',
  'flag-supervised',
  'mark-typical',
  'record-call',
]

export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'dissatisfied' | 'unreachable'
export const SATISFACTIONS: Satisfaction[] = ['satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable']

export type CallKind = 'dispatch_notice' | 'reminder' | 'callback' | 'other'
export const CALL_KINDS: CallKind[] = ['dispatch_notice', 'reminder', 'callback', 'other']

export interface Location {
  address: string
  lat?: number | null
  lng?: number | null
}

export interface Caller {
  name: string
  phone: string
  employer: string
  address: string
}

export interface TicketCreate {
  hotline: Hotline
  channel: Channel
  category: Category
  title: string
  content: string
  location: Location
  caller: Caller
  confidential: boolean
  wants_reply: boolean
  urgent: boolean
  city_limit_days?: number | null
  city_due?: string | null
  external_id?: string | null
  source: string
  received_at?: string | null
}

export interface TicketSummary {
  id: string
  title: string
  category: Category
  status: TicketStatus
  unit_id: string | null
  owner_id: string | null
  received_at: string
  dispatch_due: string | null
  handle_due: string | null
  handle_due_provisional: boolean
  flags: Flags
  urgent: boolean
  confidential: boolean
}

export interface Extension {
  reason: string
  requested_due: string
  requested_due_provisional?: boolean
  requested_by: string
  requested_at: string
  previous_due?: string | null
  /** `approved` / `denied`, null while pending */
  decision: string | boolean | null
  decided_by?: string | null
  decided_at?: string | null
  note?: string | null
}

export interface ReturnInfo {
  reason: string
  good_reason: boolean | null
  by: string
  at: string
}

export interface Reply {
  sections: Record<string, string>
  by: string
  at: string
}

export interface Callback {
  informed: boolean
  truthful: boolean
  misconduct: boolean
  misconduct_note: string | null
  satisfaction: Satisfaction
  note: string | null
  by: string
  at: string
}

export interface Difficult {
  reason: string
  by: string
  at: string
  decision: string | null
  decided_by: string | null
  decided_at: string | null
}

export interface TicketPublic extends TicketSummary {
  hotline: Hotline
  source: string
  external_id: string | null
  channel: Channel
  content: string
  location: Location | null
  caller: Caller
  caller_masked: boolean
  /** This user may ask for the unmasked caller (`?reveal=1`, recorded as `pii_revealed`). */
  can_reveal?: boolean
  wants_reply: boolean
  co_unit_ids: string[]
  first_owner_id: string | null
  dispatched_at: string | null
  city_limit_days: number | null
  redo_count: number
  return_count: number
  transfer_count: number
  extension: Extension | null
  return: ReturnInfo | null
  reply: Reply | null
  callback: Callback | null
  difficult: Difficult | null
  allowed_actions: Verb[]
  city_due?: string | null
  submitted_at?: string | null
  closed_at?: string | null
  reassign_count?: number
  version: number
  created_at: string
  updated_at: string
}

export interface TicketListQuery {
  status?: TicketStatus
  unit_id?: string
  owner_id?: string
  flag?: FlagName
  due_before?: string
  limit?: number
  page?: string
}

export interface Page<T> {
  items: T[]
  next_page: string | null
}

export interface TicketEvent {
  event_id: string
  seq: number
  type: string
  actor_id: string
  actor_role: Role | string
  at: string
  from_status: TicketStatus | null
  to_status: TicketStatus | null
  data: Record<string, unknown> | null
}

export interface PhoneCall {
  to_name: string
  to_phone: string
  note?: string
}

/** Action bodies; every one may carry `version` for the optimistic check. */
export type ActionBody = Record<string, unknown> & { version?: number }
