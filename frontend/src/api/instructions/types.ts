/** 领导批示 (R-12345-16). */
export interface Instruction {
  id: string
  ticket_id: string
  text: string
  leader: string
  leader_id?: string
  recorded_by: string
  /** Who entered it, as printed (name with the unit). */
  recorded_by_name?: string | null
  recorded_at: string
  /** `name`: the owner it went to, as printed (for `kind: 'owner'`). */
  to: { kind: 'owner' | 'unit'; id: string; name?: string | null }
  forwarded_at: string
  due: string
  next_chase_at: string | null
  chases: string[]
  status: 'open' | 'answered'
  answer: { text: string; by: string; by_name?: string | null; at: string; on_time: boolean } | null
  /** in `GET /instructions` lists: the due has passed */
  overdue?: boolean
}

export interface InstructionCreate {
  text: string
  to: 'owner' | 'unit'
  due?: string
  /** required when an operator or the analyst (综合科) enters it: a registered leader account */
  leader_name?: string
  leader_id?: string
}
