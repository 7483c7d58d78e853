import { describe, expect, it } from 'vitest'
import { KEYWORD_MAX, parseSearch, phoneDigits, searchBy } from '@/views/tickets/searchTerm'

describe('the ticket list search box', () => {
  it('reads nothing from an empty box', () => {
    expect(parseSearch('')).toEqual({ kind: 'none' })
    expect(parseSearch('   ')).toEqual({ kind: 'none' })
    expect(parseSearch(undefined)).toEqual({ kind: 'none' })
  })

  it('recognises a ticket number, in any case and with full-width characters', () => {
    expect(parseSearch('T20261126-00001')).toEqual({ kind: 'ticket_id', value: 'T20261126-00001' })
    expect(parseSearch(' t20261126-00001 ')).toEqual({ kind: 'ticket_id', value: 'T20261126-00001' })
    expect(parseSearch('Ｔ２０２６１１２６－００００１')).toEqual({ kind: 'ticket_id', value: 'T20261126-00001' })
  })

  it('recognises a caller phone however it is typed and sends only its digits (R-12345-11)', () => {
    const mobile = { kind: 'phone', value: '13912345678' }
    expect(parseSearch('13912345678')).toEqual(mobile)
    expect(parseSearch('+86 139-1234-5678')).toEqual(mobile)
    expect(parseSearch('0086 139 1234 5678')).toEqual(mobile)
    expect(parseSearch('１３９１２３４５６７８')).toEqual(mobile)
    expect(parseSearch('(0576) 8331-0003')).toEqual({ kind: 'phone', value: '057683310003' })
    expect(parseSearch('010-12345678')).toEqual({ kind: 'phone', value: '01012345678' })
  })

  it('calls a number-like entry that is no phone invalid rather than searching titles with it', () => {
    expect(parseSearch('1391234567')).toEqual({ kind: 'invalid', field: 'phone' })
    expect(parseSearch('23912345678')).toEqual({ kind: 'invalid', field: 'phone' })
    expect(parseSearch('139 1234 5678 9')).toEqual({ kind: 'invalid', field: 'phone' })
  })

  it('takes anything else as a title keyword, up to the server limit', () => {
    expect(parseSearch('路灯不亮')).toEqual({ kind: 'keyword', value: '路灯不亮' })
    expect(parseSearch('12345')).toEqual({ kind: 'keyword', value: '12345' })
    expect(parseSearch('路灯😀')).toEqual({ kind: 'keyword', value: '路灯😀' })
    expect(parseSearch('T2026 路灯')).toEqual({ kind: 'keyword', value: 'T2026 路灯' })
    expect(parseSearch('长'.repeat(KEYWORD_MAX))).toEqual({ kind: 'keyword', value: '长'.repeat(KEYWORD_MAX) })
    expect(parseSearch('长'.repeat(1000))).toEqual({ kind: 'invalid', field: 'keyword' })
  })

  it('reads a caller name when 姓名 is picked or prefixed, and any kind when picked (R-12345-11)', () => {
    expect(parseSearch('姓名:张三')).toEqual({ kind: 'caller_name', value: '张三' })
    expect(parseSearch('name： Zhang San ')).toEqual({ kind: 'caller_name', value: 'Zhang San' })
    expect(parseSearch('张三', 'caller_name')).toEqual({ kind: 'caller_name', value: '张三' })
    expect(parseSearch('张三', 'auto')).toEqual({ kind: 'keyword', value: '张三' })
    expect(parseSearch('😀', 'caller_name')).toEqual({ kind: 'invalid', field: 'caller_name' })
    expect(parseSearch('名'.repeat(51), 'caller_name')).toEqual({ kind: 'invalid', field: 'caller_name' })
    expect(parseSearch('13912345678', 'keyword')).toEqual({ kind: 'keyword', value: '13912345678' })
    expect(parseSearch('路灯', 'phone')).toEqual({ kind: 'invalid', field: 'phone' })
    expect(parseSearch('T2026', 'ticket_id')).toEqual({ kind: 'invalid', field: 'ticket_id' })
    expect(searchBy('caller_name')).toBe('caller_name')
    expect(searchBy('drop table')).toBe('auto')
  })

  it('strips separators and the country prefix from phone-like text only', () => {
    expect(phoneDigits('+86 (139) 1234.5678')).toBe('13912345678')
    expect(phoneDigits('路灯')).toBeNull()
  })
})
