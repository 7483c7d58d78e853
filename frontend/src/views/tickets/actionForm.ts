/** Form model of the action dialog and the request body each verb sends (docs/api.md transitions). */
import type { ActionBody, CallKind, Satisfaction, TicketPublic, Verb } from '@/api/tickets/types'
import { shanghaiLocalToIso } from '@/utils/format'

export interface ActionForm {
  unit_id: string
  co_unit_ids: string[]
  call_to_name: string
  call_to_phone: string
  call_note: string
  reason: string
  note: string
  new_due: string
  approve: boolean | undefined
  good_reason: boolean | undefined
  decision: string
  sections: Record<string, string>
  informed: boolean | undefined
  truthful: boolean | undefined
  misconduct: boolean | undefined
  misconduct_note: string
  satisfaction: Satisfaction | ''
  city_due: string
  kind: CallKind | ''
  outcome: string
}

export function emptyActionForm(): ActionForm {
  return {
    unit_id: '',
    co_unit_ids: [],
    call_to_name: '',
    call_to_phone: '',
    call_note: '',
    reason: '',
    note: '',
    new_due: '',
    approve: undefined,
    good_reason: undefined,
    decision: '',
    sections: {},
    informed: undefined,
    truthful: undefined,
    misconduct: undefined,
    misconduct_note: '',
    satisfaction: '',
    city_due: '',
    kind: '',
    outcome: '',
  }
}

/** Verbs whose dialog is a plain confirmation (no fields). */
export const CONFIRM_ONLY: Verb[] = ['sign', 'submit']

const opt = (s: string): string | undefined => (s.trim() ? s.trim() : undefined)

function call(f: ActionForm) {
  return { to_name: f.call_to_name.trim(), to_phone: f.call_to_phone.replace(/\s+/g, ''), note: opt(f.call_note) }
}

/** The JSON body for `POST /tickets/{id}/{verb}`; always carries the ticket version (409 on a lost race). */
export function buildActionBody(verb: Verb, f: ActionForm, ticket: Pick<TicketPublic, 'version'>): ActionBody {
  const body: ActionBody = { version: ticket.version }
  switch (verb) {
    case 'dispatch':
      body.unit_id = f.unit_id
      if (f.co_unit_ids.length) body.co_unit_ids = f.co_unit_ids
      body.call = call(f)
      break
    case 'transfer':
      body.unit_id = f.unit_id
      body.call = call(f)
      if (f.good_reason !== undefined) body.good_reason = f.good_reason
      if (opt(f.note)) body.note = opt(f.note)
      break
    case 'return':
    case 'city-reject':
    case 'flag-difficult':
    case 'flag-supervised':
      body.reason = f.reason.trim()
      break
    case 'request-extension':
      body.reason = f.reason.trim()
      body.new_due = f.new_due
      break
    case 'decide-extension':
      body.approve = f.approve === true
      if (opt(f.note)) body.note = opt(f.note)
      break
    case 'reply':
      body.sections = Object.fromEntries(
        Object.entries(f.sections)
          .map(([k, v]) => [k, v.trim()] as const)
          .filter(([, v]) => v),
      )
      break
    case 'review':
      body.approve = f.approve === true
      if (f.approve === false) body.reason = f.reason.trim()
      break
    case 'callback':
      body.satisfaction = f.satisfaction
      if (f.satisfaction !== 'unreachable') {
        body.informed = f.informed === true
        body.truthful = f.truthful === true
        body.misconduct = f.misconduct === true
        if (f.misconduct && opt(f.misconduct_note)) body.misconduct_note = opt(f.misconduct_note)
      }
      if (opt(f.note)) body.note = opt(f.note)
      break
    case 'close':
    case 'mark-typical':
      if (opt(f.note)) body.note = opt(f.note)
      break
    case 'reassign':
      body.reason = f.reason.trim()
      if (f.city_due) body.city_due = shanghaiLocalToIso(f.city_due)
      break
    case 'leader-decision':
      body.decision = f.decision.trim()
      break
    case 'record-call':
      body.kind = f.kind
      body.to_name = f.call_to_name.trim()
      body.to_phone = f.call_to_phone.replace(/\s+/g, '')
      body.outcome = f.outcome.trim()
      if (opt(f.note)) body.note = opt(f.note)
      break
    case 'sign':
    case 'submit':
      break
  }
  return body
}
