import type { Delegate } from '@/api/handover/types'
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
  'accepted',
  'awaiting_signoff',
  'merged',
] as const
export type TicketStatus = (typeof STATUSES)[number]

export const CATEGORIES = ['consult', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const
export type Category = (typeof CATEGORIES)[number]

export const CHANNELS = ['phone', 'web', 'app', 'wechat', 'letter', 'city'] as const
export type Channel = (typeof CHANNELS)[number]

export const HOTLINES = ['12345', '12369'] as const

/** Why a caller's data is revealed (R-12345-11): the server's `reveal_reason` codes. */
export const REVEAL_REASONS = ['callback', 'verify', 'handling', 'supervision'] as const
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
  'unmark-typical',
  // the 12369 workflow (docs/api.md, "The 12369 environmental complaint")
  'decide',
  'forward',
  'report',
  'sign-off',
  'send-back',
  'supervise',
  'answer-supervision',
  'spot-check',
] as const
export type Verb = (typeof VERBS)[number]

export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied', 'unreachable'] as const
export type Satisfaction = (typeof SATISFACTIONS)[number]

/** R-12369-02: the acceptance decision and the reasons for not accepting. */
export const ENV_DECISIONS = ['accept', 'not_accepted', 'refer'] as const
export const ENV_REASONS = ['not_in_scope', 'in_legal_procedure', 'duplicate', 'same_facts_reviewed'] as const
/** R-12369-07: what opens a supervision. */
export const SUPERVISION_TRIGGERS = ['not_carried_out', 'new_facts', 'late', 'leader_instruction'] as const
/** R-12369-06: the four parts of a result report. */
export const RESULT_SECTIONS = ['matter', 'investigation', 'decision', 'reply'] as const
/** The 12369 inbox's stages: a status, or the supervised flag. */
export const ENV_STAGES = ['received', 'accepted', 'handling', 'awaiting_signoff', 'supervised'] as const
export type EnvStage = (typeof ENV_STAGES)[number]

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
  /** 12369 reports (R-12369-01) */
  entity?: { name: string; address?: string }
  demand?: string
  anonymous?: boolean
}

export interface TicketSummary {
  id: string
  hotline?: Hotline
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
  /** the operator's 12-hour clock: transfer a returned ticket / review a reply (R-12345-12), else null */
  act_due?: string | null
  handle_due_provisional: boolean
  flags: Flags
  urgent: boolean
  confidential: boolean
  escalation?: Escalation | null
  /** R-12345-03 hand-over: who acts for the owner, until when (null when none is active) */
  delegate?: Delegate | null
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
  /** R-12345-18: a merged duplicate's copy of its main ticket's reply */
  from_ticket?: string
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
  /** R-12345-10: what opened the episode, every trigger while it awaited the leader, the decision due */
  trigger?: DifficultTrigger
  triggers?: DifficultTrigger[]
  decision_due?: string | null
  decision_on_time?: boolean
  history?: Difficult[]
}

/** R-12345-10: what put a ticket in the leader's 疑难 queue. */
export type DifficultTrigger = 'manual' | 'overdue' | 'unjustified_return' | 'false_reply' | 'co_units'

/** The list row's view of the difficult record (R-12345-10). */
export interface Escalation {
  pending: boolean
  trigger: DifficultTrigger
  triggers: DifficultTrigger[]
  decision_due: string | null
  at: string
}

export interface EnvNotice {
  kind: string
  text: string
  at: string
}

export interface EnvSupervision {
  trigger: string
  reason: string
  by: string
  at: string
  due: string
  answer?: { text: string; by: string; at: string; on_time: boolean } | null
}

/** A 12369 report's own record (`TicketPublic.env`, docs/api.md). */
export interface EnvRecord {
  entity: { name?: string; address?: string; lat?: number; lng?: number }
  demand: string
  anonymous: boolean
  decision_due: string
  decision?: { kind: string; reason_code?: string; authority?: string; duplicate_of?: string; note?: string; at: string; on_time: boolean }
  accepted_at?: string
  forward_due?: string
  finish_due?: string
  forward?: { unit_id: string; co_unit_ids: string[]; consultation?: string; at: string; on_time: boolean }
  extension?: { days: number; reason: string; explanation?: string; decision: string | null; note?: string }
  extension_approved?: boolean
  result?: { sections: Record<string, string>; by: string; at: string }
  /** `by_name`: the leader who signed off, as printed (name with the unit). */
  signoff?: { by: string; by_name?: string | null; at: string; note?: string }
  sent_back?: number
  supervision?: EnvSupervision
  supervisions?: EnvSupervision[]
  spot_check?: { month: string; seed: string; result?: { satisfaction: Satisfaction; carried_out: boolean; new_facts: string } | null }
  notices: EnvNotice[]
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
  /** The owner as printed: the name with the unit (null when no name is known: show the id). */
  owner_name?: string | null
  first_owner_name?: string | null
  /** The partner platform that pushed the ticket (its `source`), by name; null for a channel or an unknown partner. */
  partner_name?: string | null
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
  env?: EnvRecord | null
  /** R-12345-18: a duplicate's link to its main ticket (并单) */
  merge?: { into: string; by: string; at: string; from_status: string; note?: string; followed_at?: string } | null
  version: number
  created_at: string
  updated_at: string
}

export interface TicketListQuery {
  hotline?: Hotline
  /** a status, or `open`: every status but closed */
  status?: TicketStatus | 'open'
  unit_id?: string
  owner_id?: string
  flag?: FlagName
  due_before?: string
  /** received between these days (YYYY-MM-DD, Asia/Shanghai), both included */
  received_from?: string
  received_to?: string
  /** one search term at a time (docs/api.md): exact number, caller phone / full name (blind index), keyword
   * of title and content (the search index) */
  ticket_id?: string
  phone?: string
  caller_name?: string
  keyword?: string
  limit?: number
  page?: string
}

export interface Page<T> {
  items: T[]
  next_page: string | null
  /** search-index rows a keyword search read for this page */
  examined?: number
}

export interface TicketEvent {
  event_id: string
  seq: number
  type: string
  actor_id: string
  actor_role: Role | string
  /** The actor as printed: the name with the unit (null when no name is known: show the id). */
  actor_name?: string | null
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
