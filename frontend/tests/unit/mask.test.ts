import { describe, expect, it } from 'vitest'
import { displayValue, isMasked, maskName, maskPhone } from '@/utils/mask'
import { isValidPhone } from '@/utils/validators'

describe('masking display helpers (R-12345-11)', () => {
  it('keeps only the family name', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧***')
    expect(maskName('')).toBe('')
  })

  it('masks the middle of a mobile number like the server does', () => {
    expect(maskPhone('13800000000')).toBe('138****0000')
  })

  it('keeps a landline area code and last four digits', () => {
    expect(maskPhone('0576-83311234')).toBe('0576-****1234')
  })

  it('masks short numbers entirely', () => {
    expect(maskPhone('12345')).toBe('*****')
  })

  it('recognises a masked value', () => {
    expect(isMasked('张**')).toBe(true)
    expect(isMasked('138****0000')).toBe(true)
    expect(isMasked('13800000000')).toBe(false)
    expect(isMasked(null)).toBe(false)
  })

  it('shows a dash for empty fields', () => {
    expect(displayValue('')).toBe('—')
    expect(displayValue('  ')).toBe('—')
    expect(displayValue('张**')).toBe('张**')
  })
})

describe('phone numbers (R-12345-07)', () => {
  it.each(['13800000000', '19912345678', '0576-83311234', '057683311234', '010-12345678'])('accepts %s', (p) => {
    expect(isValidPhone(p)).toBe(true)
  })

  it.each(['', '1380000000', '12800000000', '83311234', '6123', '0576-123'])('refuses %s', (p) => {
    expect(isValidPhone(p)).toBe(false)
  })
})
