/**
 * The ticket verbs' dialog, described once (docs/api.md transitions): for each verb the fields it
 * asks for, in order, with their kind, label, when they show, whether they are required and where
 * their value goes in the request body. ActionDialog renders from it, `actionRules` derives the
 * Element Plus rules, `buildActionBody` the body, and the detail page reads `primary`.
 */
import type { FormItemRule } from 'element-plus'
import {
  CALL_KINDS,
  ENV_DECISIONS,
  ENV_REASONS,
  SATISFACTIONS,
  SUPERVISION_TRIGGERS,
  type ActionBody,
  type CallKind,
  type Satisfaction,
  type TicketPublic,
  type Verb,
} from '@/api/tickets/types'
import type { MessageSchema } from '@/locales/zh-CN'
import { shanghaiLocalToIso } from '@/utils/format'
import { isValidPhone } from '@/utils/validators'

/** Whom the operator phoned at one co-unit (R-12345-02). */
export interface CoCall {
  to_name: string
  to_phone: string
}

export interface ActionForm {
  unit_id: string
  co_unit_ids: string[]
  /** co-unit id → the call that told it (dispatch, reassign) */
  co_calls: Record<string, CoCall>
  call_to_name: string
  call_to_phone: string
  call_note: string
  reason: string
  note: string
  new_due: string
  approve: boolean | undefined
  good_reason: boolean | undefined
  false_reply: boolean | undefined
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
  // the 12369 workflow
  env_decision: string
  reason_code: string
  authority: string
  duplicate_of: string
  days: string
  explanation: string
  consultation: string
  trigger: string
  answer: string
  carried_out: boolean | undefined
  new_facts: string
}

export function emptyActionForm(): ActionForm {
  return {
    unit_id: '',
    co_unit_ids: [],
    co_calls: {},
    call_to_name: '',
    call_to_phone: '',
    call_note: '',
    reason: '',
    note: '',
    new_due: '',
    approve: undefined,
    good_reason: undefined,
    false_reply: undefined,
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
    env_decision: '',
    reason_code: '',
    authority: '',
    duplicate_of: '',
    days: '',
    explanation: '',
    consultation: '',
    trigger: '',
    answer: '',
    carried_out: undefined,
    new_facts: '',
  }
}

/** A label of the dialog (`action.*`) or a plain yes / no. */
export type ActionLabel = `action.${keyof MessageSchema['action'] & string}` | 'common.yes' | 'common.no'

type KeysOf<V> = { [K in keyof ActionForm]: ActionForm[K] extends V ? K : never }[keyof ActionForm]
/** Form properties holding one string (text, dates). */
export type TextKey = Exclude<KeysOf<string>, 'satisfaction' | 'kind'>
/** Form properties holding one code picked from a list (12369 choices). */
export type ChoiceKey = 'env_decision' | 'reason_code' | 'trigger'
/** Form properties answered yes / no. */
export type YesNoKey = KeysOf<boolean | undefined>

/**
 * How a value goes into the body: `trim` text as typed (trimmed); `optional` trimmed, left out when
 * empty; `phone` without spaces; `bool` true only when answered yes; `answered` left out until
 * answered; `list` left out when empty; `shanghai` a Shanghai wall-clock time as ISO, left out when
 * empty; `sections` the filled reply sections, trimmed; `raw` as it is.
 */
export type SendAs = 'trim' | 'optional' | 'phone' | 'bool' | 'answered' | 'list' | 'shanghai' | 'sections' | 'raw' | 'int'

export interface Send {
  as: SendAs
  /** Body path when it differs from the form key (`call.to_name`). */
  to?: string
}

interface Common {
  /** Shown, checked and sent only while this holds (answers given earlier in the same dialog). */
  when?: (f: ActionForm) => boolean
  /** Required always, or depending on other answers. */
  required?: boolean | ((f: ActionForm) => boolean)
  /** The name the "please fill in" message uses when it differs from the label. */
  requiredLabel?: ActionLabel
  /** Where the value goes in the body; a field without it is not sent. */
  send?: Send
}

/** A form row with its label; `test` is the widget's data-test (the e2e tests select it). */
export type InputSpec = Common & { label: ActionLabel; test: string } & (
    | { kind: 'unit'; key: 'unit_id' }
    | { kind: 'co-units'; key: 'co_unit_ids' }
    | { kind: 'yesno'; key: YesNoKey; answers?: [ActionLabel, ActionLabel] }
    | { kind: 'call-kind'; key: 'kind' }
    | { kind: 'satisfaction'; key: 'satisfaction' }
    | { kind: 'input' | 'phone'; key: TextKey }
    | { kind: 'textarea'; key: TextKey; rows: number }
    | { kind: 'date' | 'datetime'; key: TextKey }
    /** one code of `options`, each named from the locale table `table` */
    | { kind: 'choice'; key: ChoiceKey; options: readonly string[]; table: string }
    | { kind: 'number'; key: 'days'; min: number; max: number }
  )

/** One row of a verb's dialog. */
export type FieldSpec =
  | InputSpec
  /** the reply template's sections, one row each (R-12345-06) */
  | (Common & { kind: 'sections'; key: 'sections' })
  /** the four parts of a 12369 result report, one row each (R-12369-06) */
  | (Common & { kind: 'result-sections'; key: 'sections' })
  /** one call per co-unit, who was phoned and the number (R-12345-02): `co_calls` */
  | (Common & { kind: 'co-calls'; key: 'co_calls' })
  /** the phone-call divider and the unit's contact picker (it fills the call fields) */
  | { kind: 'call-divider' | 'contact'; key?: undefined; label: ActionLabel; when?: undefined; send?: undefined }

export type FieldKind = FieldSpec['kind']

export interface VerbSpec {
  /** The dialog's fields in order; none makes it a plain confirmation. */
  fields: FieldSpec[]
  /** The detail page shows the verb's button as primary. */
  primary?: boolean
  /** A line above the fields: the pending extension request, or a hint. */
  intro?: 'extension' | ActionLabel
  /** The call fields start with the first contact of the ticket's unit. */
  prefillContact?: boolean
}

// ------------------------------------------------------------------ fields used by several verbs

const unit: FieldSpec = { kind: 'unit', key: 'unit_id', label: 'action.unit', test: 'field-unit', required: true, send: { as: 'raw' } }
const callTo = (to: string): FieldSpec => ({
  kind: 'input',
  key: 'call_to_name',
  label: 'action.callTo',
  test: 'field-call-name',
  required: true,
  send: { as: 'trim', to },
})
const callPhone = (to: string): FieldSpec => ({
  kind: 'phone',
  key: 'call_to_phone',
  label: 'action.callPhone',
  test: 'field-call-phone',
  required: true,
  send: { as: 'phone', to },
})
const callNote: FieldSpec = { kind: 'input', key: 'call_note', label: 'action.callNote', test: 'field-call-note', send: { as: 'optional', to: 'call.note' } }
/** R-12345-02: a dispatch, transfer or re-assignment records the phone call that told the unit. */
const phoneCall: FieldSpec[] = [
  { kind: 'call-divider', label: 'action.callSection' },
  { kind: 'contact', label: 'action.contact' },
  callTo('call.to_name'),
  callPhone('call.to_phone'),
  callNote,
]
/** R-12345-02/09: the call that told each co-unit (the dispatch's co-units, or the re-assigned ticket's). */
const coCalls: FieldSpec = { kind: 'co-calls', key: 'co_calls', when: (f) => f.co_unit_ids.length > 0, send: { as: 'raw' } }
const reason: FieldSpec = { kind: 'textarea', key: 'reason', label: 'action.reason', test: 'field-reason', rows: 3, required: true, send: { as: 'trim' } }
const optionalReason: FieldSpec = { kind: 'textarea', key: 'reason', label: 'action.reason', test: 'field-reason', rows: 2, send: { as: 'optional' } }
const note: FieldSpec = { kind: 'textarea', key: 'note', label: 'action.note', test: 'field-note', rows: 2, send: { as: 'optional' } }
const reachable = (f: ActionForm) => f.satisfaction !== 'unreachable'
const check = (key: 'informed' | 'truthful' | 'misconduct'): FieldSpec => ({
  kind: 'yesno',
  key,
  label: `action.${key}`,
  test: `field-${key}`,
  when: reachable,
  required: true,
  send: { as: 'bool' },
})

// ------------------------------------------------------------------ the 12369 workflow (R-12369-02…08)

const envReason = (f: ActionForm) => f.env_decision === 'not_accepted'

/** Verbs of 12369 reports, and the 12369 form of verbs both lines share (`specFor`). */
/** The 12369 form of verbs both lines share (`specFor`). */
export const ENV_ACTIONS: Partial<Record<Verb, VerbSpec>> = {
  'request-extension': {
    intro: 'action.envExtensionHint',
    fields: [
      { kind: 'number', key: 'days', label: 'action.days', test: 'field-days', min: 1, max: 30, required: true, send: { as: 'int' } },
      reason,
      { kind: 'textarea', key: 'explanation', label: 'action.explanation', test: 'field-explanation', rows: 2, send: { as: 'optional' } },
    ],
  },
}

// ------------------------------------------------------------------ the verbs

export const ACTIONS: Record<Verb, VerbSpec> = {

  dispatch: {
    primary: true,
    fields: [
      unit,
      { kind: 'co-units', key: 'co_unit_ids', label: 'action.coUnits', test: 'field-co-units', send: { as: 'list' } },
      ...phoneCall,
      coCalls,
    ],
  },
  sign: { primary: true, fields: [] },
  return: { fields: [reason] },
  transfer: {
    fields: [
      unit,
      { kind: 'yesno', key: 'good_reason', label: 'action.goodReason', test: 'field-good-reason', send: { as: 'answered' } },
      ...phoneCall,
      note,
    ],
  },
  'request-extension': {
    fields: [
      reason,
      { kind: 'date', key: 'new_due', label: 'action.newDue', test: 'field-new-due', required: true, send: { as: 'raw' } },
    ],
  },
  'decide-extension': {
    intro: 'extension',
    fields: [
      {
        kind: 'yesno',
        key: 'approve',
        label: 'action.approve',
        test: 'field-approve',
        answers: ['action.approveYes', 'action.approveNo'],
        required: true,
        send: { as: 'bool' },
      },
      // the API wants the reason for a denial
      { ...note, required: (f: ActionForm) => f.approve === false, requiredLabel: 'action.denyNote' as const },
    ],
  },
  reply: { primary: true, fields: [{ kind: 'sections', key: 'sections', send: { as: 'sections' } }] },
  review: {
    primary: true,
    fields: [
      {
        kind: 'yesno',
        key: 'approve',
        label: 'action.approve',
        test: 'field-approve',
        answers: ['action.reviewYes', 'action.reviewNo'],
        required: true,
        send: { as: 'bool' },
      },
      { ...reason, label: 'action.rejectReason' as const, when: (f: ActionForm) => f.approve === false },
      // R-12345-10: a reply marked false (虚假反馈) goes to the leader's 疑难 queue
      {
        kind: 'yesno',
        key: 'false_reply',
        label: 'action.falseReply',
        test: 'field-false-reply',
        when: (f: ActionForm) => f.approve === false,
        send: { as: 'answered' },
      },
    ],
  },
  // R-12345-05: the four checks, unless the caller could not be reached
  callback: {
    primary: true,
    intro: 'action.callbackHint',
    fields: [
      check('informed'),
      check('truthful'),
      check('misconduct'),
      {
        kind: 'textarea',
        key: 'misconduct_note',
        label: 'action.misconductNote',
        test: 'field-misconduct-note',
        rows: 2,
        when: (f) => reachable(f) && f.misconduct === true,
        required: true,
        send: { as: 'optional' },
      },
      { kind: 'satisfaction', key: 'satisfaction', label: 'action.satisfaction', test: 'field-satisfaction', required: true, send: { as: 'raw' } },
      note,
    ],
  },
  submit: { primary: true, fields: [] },
  close: { primary: true, fields: [note] },
  'city-reject': { fields: [reason] },
  reassign: {
    prefillContact: true,
    fields: [
      reason,
      { kind: 'datetime', key: 'city_due', label: 'action.cityDue', test: 'field-city-due', send: { as: 'shanghai' } },
      ...phoneCall,
      coCalls,
    ],
  },
  'flag-difficult': { fields: [reason] },
  'leader-decision': {
    fields: [{ kind: 'textarea', key: 'decision', label: 'action.decision', test: 'field-decision', rows: 4, required: true, send: { as: 'trim' } }],
  },
  'flag-supervised': { fields: [reason] },
  'mark-typical': { fields: [note] },
  'unmark-typical': { fields: [optionalReason] },
  'record-call': {
    prefillContact: true,
    fields: [
      { kind: 'call-kind', key: 'kind', label: 'action.kind', test: 'field-kind', required: true, send: { as: 'raw' } },
      callTo('to_name'),
      callPhone('to_phone'),
      { kind: 'input', key: 'outcome', label: 'action.outcome', test: 'field-outcome', required: true, send: { as: 'trim' } },
      note,
    ],
  },
  // the 12369 workflow (R-12369-02…08): offered by the server on 12369 reports only
  decide: {
    primary: true,
    intro: 'action.decideHint',
    fields: [
      { kind: 'choice', key: 'env_decision', label: 'action.envDecision', test: 'field-env-decision', options: ENV_DECISIONS, table: 'envDecision', required: true, send: { as: 'raw', to: 'decision' } },
      { kind: 'choice', key: 'reason_code', label: 'action.reasonCode', test: 'field-reason-code', options: ENV_REASONS, table: 'envReason', when: envReason, required: true, send: { as: 'raw' } },
      {
        kind: 'input',
        key: 'authority',
        label: 'action.authority',
        test: 'field-authority',
        when: (f) => f.env_decision === 'refer' || (envReason(f) && f.reason_code === 'not_in_scope'),
        required: true,
        send: { as: 'trim' },
      },
      { kind: 'input', key: 'duplicate_of', label: 'action.duplicateOf', test: 'field-duplicate-of', when: (f) => envReason(f) && f.reason_code === 'duplicate', required: true, send: { as: 'trim' } },
      note,
    ],
  },
  forward: {
    primary: true,
    intro: 'action.forwardHint',
    fields: [
      unit,
      { kind: 'co-units', key: 'co_unit_ids', label: 'action.coUnits', test: 'field-co-units', send: { as: 'list' } },
      { kind: 'textarea', key: 'consultation', label: 'action.consultation', test: 'field-consultation', rows: 3, when: (f) => f.co_unit_ids.length > 0, required: true, send: { as: 'trim' } },
      ...phoneCall,
    ],
  },
  report: { primary: true, intro: 'action.reportHint', fields: [{ kind: 'result-sections', key: 'sections', send: { as: 'sections' } }] },
  'sign-off': { primary: true, fields: [note] },
  'send-back': { fields: [reason] },
  supervise: {
    fields: [
      { kind: 'choice', key: 'trigger', label: 'action.trigger', test: 'field-trigger', options: SUPERVISION_TRIGGERS, table: 'supervisionTrigger', required: true, send: { as: 'raw' } },
      reason,
    ],
  },
  'answer-supervision': {
    primary: true,
    fields: [{ kind: 'textarea', key: 'answer', label: 'action.answer', test: 'field-answer', rows: 4, required: true, send: { as: 'trim' } }],
  },
  'spot-check': {
    primary: true,
    fields: [
      { kind: 'satisfaction', key: 'satisfaction', label: 'action.satisfaction', test: 'field-satisfaction', required: true, send: { as: 'raw' } },
      { kind: 'yesno', key: 'carried_out', label: 'action.carriedOut', test: 'field-carried-out', send: { as: 'answered' } },
      { kind: 'textarea', key: 'new_facts', label: 'action.newFacts', test: 'field-new-facts', rows: 2, send: { as: 'optional' } },
      note,
    ],
  },
}

/** A verb's dialog for this ticket: a 12369 report uses the 12369 form where it has one. */
export function specFor(verb: Verb, hotline?: string): VerbSpec | undefined {
  return (hotline === '12369' ? ENV_ACTIONS[verb] : undefined) ?? ACTIONS[verb]
}

/** The codes behind the two choice lists. */
export const CHOICES = { 'call-kind': CALL_KINDS, satisfaction: SATISFACTIONS } as const

/** The fields a verb shows for the answers given so far. */
export function visibleFields(spec: VerbSpec | undefined, f: ActionForm): FieldSpec[] {
  return (spec?.fields ?? []).filter((field) => !field.when || field.when(f))
}

/** The dialog needs the unit directory (unit pickers, the unit's contacts). */
export function needsUnits(spec: VerbSpec | undefined): boolean {
  return !!spec && (!!spec.prefillContact || spec.fields.some((field) => field.kind === 'unit'))
}

/** `co_calls` of the body: one call per co-unit, in the co-units' order (R-12345-02). */
export function coCallsBody(f: Pick<ActionForm, 'co_unit_ids' | 'co_calls'>): Record<string, string>[] {
  return f.co_unit_ids.map((unit_id) => {
    const call = f.co_calls[unit_id] ?? { to_name: '', to_phone: '' }
    return { unit_id, to_name: call.to_name.trim(), to_phone: call.to_phone.replace(/\s+/g, '') }
  })
}

// ------------------------------------------------------------------ request body

const opt = (s: string): string | undefined => (s.trim() ? s.trim() : undefined)

function sendValue(as: SendAs, v: unknown): unknown {
  switch (as) {
    case 'trim':
      return String(v).trim()
    case 'optional':
      return opt(String(v))
    case 'phone':
      return String(v).replace(/\s+/g, '')
    case 'bool':
      return v === true
    case 'answered':
      return v === undefined ? undefined : v
    case 'list':
      return Array.isArray(v) && v.length ? v : undefined
    case 'shanghai':
      return v ? shanghaiLocalToIso(String(v)) : undefined
    case 'sections':
      return Object.fromEntries(
        Object.entries(v as Record<string, string>)
          .map(([k, text]) => [k, text.trim()] as const)
          .filter(([, text]) => text),
      )
    case 'raw':
      return v
    case 'int':
      return v === '' || v === undefined || v === null ? undefined : Number(v)
  }
}

function put(body: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split('.')
  if (!rest.length) {
    body[head] = value
    return
  }
  const inner = (body[head] ??= {}) as Record<string, unknown>
  put(inner, rest.join('.'), value)
}

/** The JSON body for `POST /tickets/{id}/{verb}`; always carries the ticket version (409 on a lost race). */
export function buildActionBody(
  verb: Verb,
  f: ActionForm,
  ticket: Pick<TicketPublic, 'version'> & { hotline?: string },
): ActionBody {
  const body: ActionBody = { version: ticket.version }
  for (const field of visibleFields(specFor(verb, ticket.hotline), f)) {
    if (!field.key || !field.send) continue
    if (field.kind === 'co-calls') {
      body.co_calls = coCallsBody(f)
      continue
    }
    const value = sendValue(field.send.as, f[field.key])
    if (value !== undefined) put(body, field.send.to ?? field.key, value)
  }
  return body
}

// ------------------------------------------------------------------ validation (Element Plus rules)

export type Translate = (key: string, values?: Record<string, unknown>) => string

const PICKED: FieldKind[] = ['unit', 'co-units', 'call-kind', 'date', 'datetime', 'choice']
const ANSWERED: FieldKind[] = ['yesno', 'satisfaction']

function requiredRule(field: InputSpec, t: Translate): FormItemRule {
  const name = t(field.requiredLabel ?? field.label)
  if (ANSWERED.includes(field.kind)) {
    return {
      validator: (_r, v, cb) => (v === null || v === '' || v === undefined ? cb(new Error(t('validation.choose', { field: name }))) : cb()),
      trigger: 'change',
    }
  }
  const picked = PICKED.includes(field.kind)
  return {
    required: true,
    whitespace: true,
    message: t(picked ? 'validation.choose' : 'validation.required', { field: name }),
    trigger: picked ? 'change' : 'blur',
  }
}

function phoneRule(t: Translate): FormItemRule {
  return { validator: (_r, v: string, cb) => (isValidPhone(v) ? cb() : cb(new Error(t('validation.phone')))), trigger: 'blur' }
}

/** The Element Plus rules of a verb's form for the answers given so far (form item prop → rules). */
export function actionRules(spec: VerbSpec | undefined, f: ActionForm, t: Translate): Record<string, FormItemRule[]> {
  const rules: Record<string, FormItemRule[]> = {}
  for (const field of visibleFields(spec, f)) {
    if (!field.key || field.kind === 'sections' || field.kind === 'result-sections' || field.kind === 'co-calls') continue // `sectionRules`, `coCallRules`
    const required = typeof field.required === 'function' ? field.required(f) : !!field.required
    const list = [...(required ? [requiredRule(field, t)] : []), ...(field.kind === 'phone' ? [phoneRule(t)] : [])]
    if (list.length) rules[field.key] = list
  }
  return rules
}

/** The rules of one co-unit's call (R-12345-02): who was phoned, and a valid number. */
export function coCallRules(part: 'to_name' | 'to_phone', t: Translate): FormItemRule[] {
  const field = t(part === 'to_name' ? 'action.callTo' : 'action.callPhone')
  const required: FormItemRule = { required: true, whitespace: true, message: t('validation.required', { field }), trigger: 'blur' }
  return part === 'to_name' ? [required] : [required, phoneRule(t)]
}

/** A reply section's rules: required sections must be filled (R-12345-06). */
export function sectionRules(title: string, required: boolean, t: Translate): FormItemRule[] {
  return required ? [{ required: true, whitespace: true, message: t('validation.sectionRequired', { section: title }), trigger: 'blur' }] : []
}
