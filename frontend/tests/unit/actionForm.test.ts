import { describe, expect, it } from 'vitest'
import { buildActionBody, emptyActionForm } from '@/views/tickets/actionForm'

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
    })
  })

  it('sign needs nothing but the version', () => {
    expect(buildActionBody('sign', emptyActionForm(), ticket)).toEqual({ version: 7 })
  })
})
