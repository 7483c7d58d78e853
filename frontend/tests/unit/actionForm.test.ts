import { describe, expect, it } from 'vitest'
import type { FormItemRule } from 'element-plus'
import { VERBS, type Verb } from '@/api/tickets/types'
import {
  ACTIONS,
  actionRules,
  buildActionBody,
  coCallRules,
  coCallsBody,
  emptyActionForm,
  specFor,
  visibleFields,
  type ActionForm,
  type Translate,
} from '@/views/tickets/actionForm'

const ticket = { version: 7 }

describe('action bodies sent to POST /tickets/{id}/{verb}', () => {
  it('dispatch carries the unit and the phone call to the unit (R-12345-02)', () => {
    const f = { ...emptyActionForm(), unit_id: 'U1', call_to_name: '李四 ', call_to_phone: '138 0000 0000', call_note: '' }
    expect(buildActionBody('dispatch', f, ticket)).toEqual({
      version: 7,
      unit_id: 'U1',
      call: { to_name: '李四', to_phone: '13800000000', note: undefined },
    })
  })

  it('callback records the four checks (R-12345-05)', () => {
    const f = {
      ...emptyActionForm(),
      informed: true,
      truthful: false,
      misconduct: true,
      misconduct_note: '态度差',
      satisfaction: 'dissatisfied' as const,
    }
    expect(buildActionBody('callback', f, ticket)).toEqual({
      version: 7,
      informed: true,
      truthful: false,
      misconduct: true,
      misconduct_note: '态度差',
      satisfaction: 'dissatisfied',
    })
  })

  it('an unreachable caller needs no checks: only the satisfaction goes', () => {
    const f = { ...emptyActionForm(), satisfaction: 'unreachable' as const }
    expect(buildActionBody('callback', f, ticket)).toEqual({ version: 7, satisfaction: 'unreachable' })
  })

  it('a denied extension carries the note the API requires', () => {
    const f = { ...emptyActionForm(), approve: false, note: '请按期办结' }
    expect(buildActionBody('decide-extension', f, ticket)).toEqual({ version: 7, approve: false, note: '请按期办结' })
  })

  it('a rejected review carries its reason, an approved one none', () => {
    expect(buildActionBody('review', { ...emptyActionForm(), approve: false, reason: '答复不实' }, ticket)).toEqual({
      version: 7,
      approve: false,
      reason: '答复不实',
    })
    expect(buildActionBody('review', { ...emptyActionForm(), approve: true, reason: 'x' }, ticket)).toEqual({
      version: 7,
      approve: true,
    })
  })

  it('a reply sends only the filled sections (R-12345-06)', () => {
    const f = { ...emptyActionForm(), sections: { 办理结果: ' 已修复 ', 备注: '  ' } }
    expect(buildActionBody('reply', f, ticket)).toEqual({ version: 7, sections: { 办理结果: '已修复' } })
  })

  it('reassign converts the city due from Shanghai time', () => {
    const f = { ...emptyActionForm(), reason: '市平台重新交办', city_due: '2026-10-10 17:30' }
    expect(buildActionBody('reassign', f, ticket)).toEqual({
      version: 7,
      reason: '市平台重新交办',
      city_due: '2026-10-10T09:30:00+00:00',
      call: { to_name: '', to_phone: '' },
    })
  })

  it('sign needs nothing but the version', () => {
    expect(buildActionBody('sign', emptyActionForm(), ticket)).toEqual({ version: 7 })
  })
})

/** Every input filled (with stray spaces), to see what each verb picks from the shared form. */
const filled: ActionForm = {
  unit_id: 'U001',
  co_unit_ids: ['U002', 'U003'],
  co_calls: { U002: { to_name: ' 吴芳 ', to_phone: '139 5760 0002' }, U003: { to_name: '冯磊', to_phone: '0576-83310003' } },
  call_to_name: ' 周海 ',
  call_to_phone: '139 5760 0001',
  call_note: ' 已电话通知 ',
  reason: ' 需协调住建部门 ',
  note: ' 备注 ',
  new_due: '2026-12-30',
  approve: false,
  good_reason: true,
  false_reply: true,
  decision: ' 由住建局牵头 ',
  sections: { result: ' 已修复 ', basis: '  ', contact: '已回电' },
  informed: true,
  truthful: false,
  misconduct: true,
  misconduct_note: ' 态度差 ',
  satisfaction: 'dissatisfied',
  city_due: '2026-12-31 17:30',
  kind: 'reminder',
  outcome: ' 已接通 ',
  env_decision: 'not_accepted',
  reason_code: 'duplicate',
  authority: ' 县市场监管局 ',
  duplicate_of: ' T20261101-00001 ',
  days: '20',
  explanation: ' 已向市局说明 ',
  consultation: ' 县政府协调 ',
  trigger: 'late',
  answer: ' 已责令整改 ',
  carried_out: false,
  new_facts: ' 仍在偷排 ',
}

/**
 * The bodies the per-verb switch sent before the descriptor table replaced it (recorded from it;
 * compared as JSON, which is what goes over the wire).
 */
const BEFORE: [Verb, string, ActionForm, Record<string, unknown>][] = [
  ['dispatch', 'empty', emptyActionForm(), { version: 3, unit_id: '', call: { to_name: '', to_phone: '' } }],
  ['dispatch', 'filled', filled, { version: 3, unit_id: 'U001', co_unit_ids: ['U002', 'U003'], call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' }, co_calls: [{ unit_id: 'U002', to_name: '吴芳', to_phone: '13957600002' }, { unit_id: 'U003', to_name: '冯磊', to_phone: '0576-83310003' }] }],
  ['sign', 'empty', emptyActionForm(), { version: 3 }],
  ['sign', 'filled', filled, { version: 3 }],
  ['return', 'empty', emptyActionForm(), { version: 3, reason: '' }],
  ['return', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['transfer', 'empty', emptyActionForm(), { version: 3, unit_id: '', call: { to_name: '', to_phone: '' } }],
  ['transfer', 'filled', filled, { version: 3, unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' }, good_reason: true, note: '备注' }],
  ['request-extension', 'empty', emptyActionForm(), { version: 3, reason: '', new_due: '' }],
  ['request-extension', 'filled', filled, { version: 3, reason: '需协调住建部门', new_due: '2026-12-30' }],
  ['decide-extension', 'empty', emptyActionForm(), { version: 3, approve: false }],
  ['decide-extension', 'filled', filled, { version: 3, approve: false, note: '备注' }],
  ['reply', 'empty', emptyActionForm(), { version: 3, sections: {} }],
  ['reply', 'filled', filled, { version: 3, sections: { result: '已修复', contact: '已回电' } }],
  ['review', 'empty', emptyActionForm(), { version: 3, approve: false }],
  ['review', 'filled', filled, { version: 3, approve: false, reason: '需协调住建部门', false_reply: true }],
  ['callback', 'empty', emptyActionForm(), { version: 3, satisfaction: '', informed: false, truthful: false, misconduct: false }],
  ['callback', 'filled', filled, { version: 3, satisfaction: 'dissatisfied', informed: true, truthful: false, misconduct: true, misconduct_note: '态度差', note: '备注' }],
  ['submit', 'empty', emptyActionForm(), { version: 3 }],
  ['submit', 'filled', filled, { version: 3 }],
  ['close', 'empty', emptyActionForm(), { version: 3 }],
  ['close', 'filled', filled, { version: 3, note: '备注' }],
  ['city-reject', 'empty', emptyActionForm(), { version: 3, reason: '' }],
  ['city-reject', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['reassign', 'empty', emptyActionForm(), { version: 3, reason: '', call: { to_name: '', to_phone: '' } }],
  ['reassign', 'filled', filled, { version: 3, reason: '需协调住建部门', city_due: '2026-12-31T09:30:00+00:00', call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' }, co_calls: [{ unit_id: 'U002', to_name: '吴芳', to_phone: '13957600002' }, { unit_id: 'U003', to_name: '冯磊', to_phone: '0576-83310003' }] }],
  ['flag-difficult', 'empty', emptyActionForm(), { version: 3, reason: '' }],
  ['flag-difficult', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['leader-decision', 'empty', emptyActionForm(), { version: 3, decision: '' }],
  ['leader-decision', 'filled', filled, { version: 3, decision: '由住建局牵头' }],
  ['flag-supervised', 'empty', emptyActionForm(), { version: 3, reason: '' }],
  ['flag-supervised', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['mark-typical', 'empty', emptyActionForm(), { version: 3 }],
  ['mark-typical', 'filled', filled, { version: 3, note: '备注' }],
  ['unmark-typical', 'empty', emptyActionForm(), { version: 3 }],
  ['unmark-typical', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['record-call', 'empty', emptyActionForm(), { version: 3, kind: '', to_name: '', to_phone: '', outcome: '' }],
  ['record-call', 'filled', filled, { version: 3, kind: 'reminder', to_name: '周海', to_phone: '13957600001', outcome: '已接通', note: '备注' }],
  ['review', 'approved', { ...filled, approve: true }, { version: 3, approve: true }],
  ['decide-extension', 'approved', { ...filled, approve: true }, { version: 3, approve: true, note: '备注' }],
  ['callback', 'unreachable', { ...filled, satisfaction: 'unreachable' }, { version: 3, satisfaction: 'unreachable', note: '备注' }],
  ['callback', 'no misconduct', { ...filled, misconduct: false }, { version: 3, satisfaction: 'dissatisfied', informed: true, truthful: false, misconduct: false, note: '备注' }],
  ['transfer', 'good reason unanswered', { ...filled, good_reason: undefined }, { version: 3, unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' }, note: '备注' }],
  ['dispatch', 'no co-units', { ...filled, co_unit_ids: [] }, { version: 3, unit_id: 'U001', call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' } }],
  // the 12369 workflow (R-12369-02…08)
  ['decide', 'empty', emptyActionForm(), { version: 3, decision: '' }],
  ['decide', 'filled', filled, { version: 3, decision: 'not_accepted', reason_code: 'duplicate', duplicate_of: 'T20261101-00001', note: '备注' }],
  ['decide', 'not in scope', { ...filled, reason_code: 'not_in_scope' }, { version: 3, decision: 'not_accepted', reason_code: 'not_in_scope', authority: '县市场监管局', note: '备注' }],
  ['decide', 'refer', { ...filled, env_decision: 'refer' }, { version: 3, decision: 'refer', authority: '县市场监管局', note: '备注' }],
  ['forward', 'empty', emptyActionForm(), { version: 3, unit_id: '', call: { to_name: '', to_phone: '' } }],
  ['forward', 'filled', filled, { version: 3, unit_id: 'U001', co_unit_ids: ['U002', 'U003'], consultation: '县政府协调', call: { to_name: '周海', to_phone: '13957600001', note: '已电话通知' } }],
  ['report', 'empty', emptyActionForm(), { version: 3, sections: {} }],
  ['report', 'filled', filled, { version: 3, sections: { result: '已修复', contact: '已回电' } }],
  ['sign-off', 'empty', emptyActionForm(), { version: 3 }],
  ['sign-off', 'filled', filled, { version: 3, note: '备注' }],
  ['send-back', 'empty', emptyActionForm(), { version: 3, reason: '' }],
  ['send-back', 'filled', filled, { version: 3, reason: '需协调住建部门' }],
  ['supervise', 'empty', emptyActionForm(), { version: 3, trigger: '', reason: '' }],
  ['supervise', 'filled', filled, { version: 3, trigger: 'late', reason: '需协调住建部门' }],
  ['answer-supervision', 'empty', emptyActionForm(), { version: 3, answer: '' }],
  ['answer-supervision', 'filled', filled, { version: 3, answer: '已责令整改' }],
  ['spot-check', 'empty', emptyActionForm(), { version: 3, satisfaction: '' }],
  ['spot-check', 'filled', filled, { version: 3, satisfaction: 'dissatisfied', carried_out: false, new_facts: '仍在偷排', note: '备注' }],
]

describe('the descriptor builds the same bodies as the per-verb code did', () => {
  it('covers every verb, empty and filled', () => {
    for (const v of VERBS) {
      expect(BEFORE.filter(([verb, name]) => verb === v && (name === 'empty' || name === 'filled'))).toHaveLength(2)
    }
  })

  it.each(BEFORE)('%s (%s)', (verb, _name, form, body) => {
    expect(JSON.parse(JSON.stringify(buildActionBody(verb, form, { version: 3 })))).toEqual(body)
  })
})

const t: Translate = (key, values) => (values ? `${key} ${JSON.stringify(values)}` : key)
const messages = (rules: FormItemRule[] | undefined) => (rules ?? []).map((r) => r.message ?? 'validator')
const props = (verb: Verb, f: ActionForm = emptyActionForm()) => Object.keys(actionRules(ACTIONS[verb], f, t)).sort()
const tests = (verb: Verb, f: ActionForm = emptyActionForm()) =>
  visibleFields(ACTIONS[verb], f).flatMap((field) => ('test' in field ? [field.test] : []))

describe('one descriptor per verb drives the dialog', () => {
  it('describes every verb of the API', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...VERBS].sort())
  })

  it('makes sign and submit plain confirmations, every other verb a form', () => {
    expect(VERBS.filter((v) => ACTIONS[v].fields.length === 0)).toEqual(['sign', 'submit'])
  })

  it('marks the main path verbs primary for the detail page', () => {
    expect(VERBS.filter((v) => ACTIONS[v].primary)).toEqual([
      'dispatch',
      'sign',
      'reply',
      'review',
      'callback',
      'submit',
      'close',
      'decide',
      'forward',
      'report',
      'sign-off',
      'answer-supervision',
      'spot-check',
    ])
  })

  it('gives a 12369 report its own extension form: days, at most one, reason, explanation (R-12369-05)', () => {
    const env = specFor('request-extension', '12369')
    expect(visibleFields(env, emptyActionForm()).flatMap((f) => ('test' in f ? [f.test] : []))).toEqual([
      'field-days',
      'field-reason',
      'field-explanation',
    ])
    expect(specFor('request-extension', '12345')).toBe(ACTIONS['request-extension'])
    expect(specFor('decide', '12369')).toBe(ACTIONS.decide)
    const body = buildActionBody('request-extension', { ...filled, days: '20' }, { version: 3, hotline: '12369' })
    expect(body).toEqual({ version: 3, days: 20, reason: '需协调住建部门', explanation: '已向市局说明' })
  })

  it('asks for the reason code only when not accepting, and the authority or original number it needs (R-12369-02)', () => {
    const t12369 = (f: ActionForm) => visibleFields(ACTIONS.decide, f).flatMap((x) => ('test' in x ? [x.test] : []))
    expect(t12369({ ...emptyActionForm(), env_decision: 'accept' })).toEqual(['field-env-decision', 'field-note'])
    expect(t12369({ ...emptyActionForm(), env_decision: 'not_accepted', reason_code: 'duplicate' })).toEqual([
      'field-env-decision',
      'field-reason-code',
      'field-duplicate-of',
      'field-note',
    ])
  })

  it('keeps the fields and their data-test hooks the e2e tests select, in order', () => {
    expect(tests('dispatch')).toEqual(['field-unit', 'field-co-units', 'field-call-name', 'field-call-phone', 'field-call-note'])
    expect(tests('transfer')).toEqual(['field-unit', 'field-good-reason', 'field-call-name', 'field-call-phone', 'field-call-note', 'field-note'])
    expect(tests('request-extension')).toEqual(['field-reason', 'field-new-due'])
    expect(tests('decide-extension')).toEqual(['field-approve', 'field-note'])
    expect(tests('review')).toEqual(['field-approve'])
    expect(tests('review', { ...emptyActionForm(), approve: false })).toEqual(['field-approve', 'field-reason', 'field-false-reply'])
    expect(tests('callback')).toEqual(['field-informed', 'field-truthful', 'field-misconduct', 'field-satisfaction', 'field-note'])
    expect(tests('callback', { ...emptyActionForm(), misconduct: true })).toContain('field-misconduct-note')
    expect(tests('callback', { ...emptyActionForm(), satisfaction: 'unreachable' })).toEqual(['field-satisfaction', 'field-note'])
    expect(tests('reassign')).toEqual(['field-reason', 'field-city-due', 'field-call-name', 'field-call-phone', 'field-call-note'])
    expect(tests('leader-decision')).toEqual(['field-decision'])
    expect(tests('record-call')).toEqual(['field-kind', 'field-call-name', 'field-call-phone', 'field-outcome', 'field-note'])
    for (const v of ['return', 'city-reject', 'flag-difficult', 'flag-supervised'] as const) expect(tests(v)).toEqual(['field-reason'])
    for (const v of ['close', 'mark-typical'] as const) expect(tests(v)).toEqual(['field-note'])
  })
})

describe('validation rules come from the same descriptor', () => {
  it('a dispatch needs a unit and the person and number called (R-12345-02)', () => {
    const rules = actionRules(ACTIONS.dispatch, emptyActionForm(), t)
    expect(Object.keys(rules).sort()).toEqual(['call_to_name', 'call_to_phone', 'unit_id'])
    expect(messages(rules.unit_id)).toEqual(['validation.choose {"field":"action.unit"}'])
    expect(rules.unit_id[0].trigger).toBe('change')
    expect(messages(rules.call_to_name)).toEqual(['validation.required {"field":"action.callTo"}'])
    expect(messages(rules.call_to_phone)).toEqual(['validation.required {"field":"action.callPhone"}', 'validator'])
  })

  it('refuses a called number that is neither a mobile nor a landline with area code', async () => {
    const [, phone] = actionRules(ACTIONS['record-call'], emptyActionForm(), t).call_to_phone
    const check = (v: string) =>
      new Promise<string>((resolve) => phone.validator!(phone, v, (e?: string | Error) => resolve(e ? (e as Error).message : 'ok'), {}, {}))
    expect(await check('6123')).toBe('validation.phone')
    expect(await check('0576-83310003')).toBe('ok')
  })

  it('asks for the reason of a denied extension, named as such, and of a rejected reply', () => {
    expect(props('decide-extension')).toEqual(['approve'])
    const denied = actionRules(ACTIONS['decide-extension'], { ...emptyActionForm(), approve: false }, t)
    expect(messages(denied.note)).toEqual(['validation.required {"field":"action.denyNote"}'])
    expect(props('review', { ...emptyActionForm(), approve: true })).toEqual(['approve'])
    expect(props('review', { ...emptyActionForm(), approve: false })).toEqual(['approve', 'reason'])
  })

  it('asks the callback checks unless the caller was unreachable (R-12345-05)', () => {
    expect(props('callback')).toEqual(['informed', 'misconduct', 'satisfaction', 'truthful'])
    expect(props('callback', { ...emptyActionForm(), misconduct: true })).toContain('misconduct_note')
    expect(props('callback', { ...emptyActionForm(), satisfaction: 'unreachable', misconduct: true })).toEqual(['satisfaction'])
  })

  it('requires what each remaining form verb asked for before', () => {
    expect(props('request-extension')).toEqual(['new_due', 'reason'])
    expect(props('record-call')).toEqual(['call_to_name', 'call_to_phone', 'kind', 'outcome'])
    expect(props('leader-decision')).toEqual(['decision'])
    expect(props('transfer')).toEqual(['call_to_name', 'call_to_phone', 'unit_id'])
    expect(props('reassign')).toEqual(['call_to_name', 'call_to_phone', 'reason']) // R-12345-09: phoned like a dispatch
    for (const v of ['return', 'city-reject', 'flag-difficult', 'flag-supervised'] as const) expect(props(v)).toEqual(['reason'])
    for (const v of ['close', 'mark-typical', 'reply', 'sign', 'submit'] as const) expect(props(v)).toEqual([])
  })
})

describe('co-units are phoned like the lead unit (R-12345-02, R-12345-09)', () => {
  it('sends one call per co-unit in the co-units order, a missing one empty (the server names it)', () => {
    const f = { ...emptyActionForm(), unit_id: 'U001', co_unit_ids: ['U003', 'U002'], co_calls: { U002: { to_name: ' 吴芳 ', to_phone: '139 5760 0002' } } }
    expect(coCallsBody(f)).toEqual([
      { unit_id: 'U003', to_name: '', to_phone: '' },
      { unit_id: 'U002', to_name: '吴芳', to_phone: '13957600002' },
    ])
  })

  it('asks for the person and a valid number at each co-unit', async () => {
    expect(messages(coCallRules('to_name', t))).toEqual(['validation.required {"field":"action.callTo"}'])
    const [, phone] = coCallRules('to_phone', t)
    const check = (v: string) =>
      new Promise<string>((resolve) => phone.validator!(phone, v, (e?: string | Error) => resolve(e ? (e as Error).message : 'ok'), {}, {}))
    expect(await check('6002')).toBe('validation.phone')
    expect(await check('13957600002')).toBe('ok')
  })
})
