import { describe, expect, it } from 'vitest'
import { evidenceBase, under } from '@/api/evidence'

describe('evidence owner paths', () => {
  it('puts the route below the path and keeps the owner query after it', () => {
    expect(under(evidenceBase.report('2026-11-30'), '/evidence')).toBe('/work/weekly/2026-11-30/evidence')
    const combined = evidenceBase.report('2026-11-30', 'D 1')
    expect(combined).toBe('/work/weekly/2026-11-30?dept_id=D%201')
    expect(under(combined, '/evidence/E1/confirm')).toBe('/work/weekly/2026-11-30/evidence/E1/confirm?dept_id=D%201')
  })
})
