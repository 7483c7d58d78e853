import { describe, expect, it } from 'vitest'
import { activeDue, countdown, formatCountdown, formatDate, formatDateTime, personWithRole, shanghaiLocalToIso } from '@/utils/format'
import { i18n, setLocale } from '@/locales'

const t = (k: string, v?: Record<string, unknown>) => i18n.global.t(k, v ?? {})

describe('dates are shown in Asia/Shanghai', () => {
  it('shows a UTC instant as Shanghai wall time', () => {
    expect(formatDateTime('2026-11-26T03:59:00+00:00')).toBe('2026-11-26 11:59')
  })

  it('moves to the next day after 16:00 UTC', () => {
    expect(formatDateTime('2026-09-30T16:30:00+00:00')).toBe('2026-10-01 00:30')
    expect(formatDate('2026-09-30T16:30:00+00:00')).toBe('2026-10-01')
  })

  it('shows nothing for missing or invalid values', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime('not a date')).toBe('')
  })

  it('converts a Shanghai wall time typed by a user to UTC', () => {
    expect(shanghaiLocalToIso('2026-10-10 17:30')).toBe('2026-10-10T09:30:00+00:00')
    expect(shanghaiLocalToIso('2026-10-01')).toBe('2026-09-30T16:00:00+00:00')
  })
})

describe('the deadline countdown (clock time)', () => {
  const now = new Date('2026-11-26T00:00:00Z')

  it('counts days and hours left', () => {
    const c = countdown('2026-11-28T03:30:00Z', now)!
    expect(c).toMatchObject({ overdue: false, dueSoon: false, days: 2, hours: 3, minutes: 30 })
    setLocale('zh-CN')
    expect(formatCountdown(c, t)).toBe('剩余 2天3小时')
  })

  it('flags less than 24 hours as due soon', () => {
    const c = countdown('2026-11-26T05:00:00Z', now)!
    expect(c.dueSoon).toBe(true)
    expect(formatCountdown(c, t)).toBe('剩余 5小时')
  })

  it('shows minutes in the last hour', () => {
    expect(formatCountdown(countdown('2026-11-26T00:45:00Z', now)!, t)).toBe('剩余 45分钟')
  })

  it('says how long a ticket has been overdue', () => {
    const c = countdown('2026-11-24T22:00:00Z', now)!
    expect(c.overdue).toBe(true)
    expect(c.dueSoon).toBe(false)
    expect(formatCountdown(c, t)).toBe('已超时 1天2小时')
  })

  it('keeps the hour part on whole days', () => {
    expect(formatCountdown(countdown('2026-11-29T00:00:00Z', now)!, t)).toBe('剩余 3天0小时')
  })

  it('has no countdown without a deadline', () => {
    expect(countdown(null, now)).toBeNull()
  })

  it('speaks English too', () => {
    setLocale('en-US')
    expect(formatCountdown(countdown('2026-11-28T03:30:00Z', now)!, t)).toBe('2d3h left')
    setLocale('zh-CN')
  })

  it('counts to the dispatch deadline before dispatch and the handling deadline after', () => {
    const tk = { dispatch_due: 'D', handle_due: 'H' }
    expect(activeDue({ ...tk, status: 'received' })).toBe('D')
    expect(activeDue({ ...tk, status: 'handling' })).toBe('H')
    expect(activeDue({ ...tk, status: 'closed' })).toBeNull()
  })

  it('counts to the 12-hour clock of a returned ticket or a reply when it comes first (R-12345-12)', () => {
    const tk = { dispatch_due: null, handle_due: '2026-11-30T09:30:00Z', act_due: '2026-11-26T14:00:00Z' }
    expect(activeDue({ ...tk, status: 'returned' })).toBe('2026-11-26T14:00:00Z')
    expect(activeDue({ ...tk, status: 'replied' })).toBe('2026-11-26T14:00:00Z')
    expect(activeDue({ ...tk, status: 'replied', handle_due: '2026-11-26T09:30:00Z' })).toBe('2026-11-26T09:30:00Z')
    expect(activeDue({ ...tk, status: 'reviewed', act_due: null })).toBe('2026-11-30T09:30:00Z')
  })
})

describe('personWithRole', () => {
  const t = (key: string, v?: Record<string, unknown>) => `${key}:${v?.actor}|${v?.role}`
  it('puts the role inside the unit brackets, one pair as on the printed record', () => {
    expect(personWithRole('周海（海游街道办事处）', '承办单位经办人', t)).toBe('周海（海游街道办事处，承办单位经办人）')
  })
  it("gives a bare name the locale's form", () => {
    expect(personWithRole('王敏', '派单员', t)).toBe('ticket.by:王敏|派单员')
  })
})
