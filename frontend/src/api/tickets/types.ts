/** Ticket shapes of docs/api.md (TicketCreate / TicketSummary / TicketPublic / Event). */
import type { Role } from '@/api/auth/types'

/** Every ticket status; the type is read off the list, so the list is complete. */
export const STATUSES = [
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
] as const
export type TicketStatus = (typeof STATUSES)[number]

export const CATEGORIES = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const
export type Category = (typeof CATEGORIES)[number]

export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'letter', 'city'] as const
export type Channel = (typeof CHANNELS)[number]

export const HOTLINES = ['12345', '12369'] as const
export type Hotline = (typeof HOTLINES)[number]

export const FLAG_NAMES = ['overdue', 'dispatch_overdue', 'difficult', 'supervised', 'typical'] as const
export type FlagName = (typeof FLAG_NAMES)[number]
export type Flags = Record<FlagName, boolean>

export const VERBS = [
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
] as const
export type Verb = (typeof VERBS)[number]

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable'] as const
export type Satisfaction = (typeof SATISFACTIONS)[number]

export const CALL_KINDS = ['dispatch_notice', 'reminder', 'callback', 'other'] as const
export type CallKind = (typeof CALL_KINDS)[number]

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
  emergency?: boolean
  emergency_pending?: boolean
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

/** An emergency (突发事件, R-12369-02): flagged, escalated to the leader on duty, acknowledged. */
export interface EmergencyRecord {
  by_keyword: boolean
  keywords: string[]
  by: string
  at: string
  escalations: number
  last_escalated_at?: string
  acknowledged_at?: string
  acknowledged_by?: string
  acknowledge_note?: string
}

export interface TicketPublic extends Omit<TicketSummary, 'emergency'> {
  emergency?: EmergencyRecord | null
  emergency_pending?: boolean
  hotline: Hotline
  source: string
  external_id: string | null
  channel: Channel
  content: string
  location: Location | null
  caller: Caller
  caller_masked: boolean
  /** This user may ask for the unmasked caller (`?reveal=1`; each view goes to the access log). */
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
