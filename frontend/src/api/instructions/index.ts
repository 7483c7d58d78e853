import { http } from '@/api/request'
import type { Instruction, InstructionCreate } from './types'

const base = (ticketId: string) => `/tickets/${encodeURIComponent(ticketId)}/instructions`

export function listInstructions(ticketId: string): Promise<{ items: Instruction[] }> {
  return http.get<{ items: Instruction[] }>(base(ticketId))
}

/** POST (leader, or an operator entering it with `leader_name`): recorded and forwarded at once. */
export function recordInstruction(ticketId: string, body: InstructionCreate): Promise<Instruction> {
  return http.post<Instruction>(base(ticketId), body)
}

/** POST …/answer (the owner operator or a handler of the target unit); 409 if already answered. */
export function answerInstruction(ticketId: string, id: string, text: string): Promise<Instruction> {
  return http.post<Instruction>(`${base(ticketId)}/${encodeURIComponent(id)}/answer`, { text })
}

/** POST …/chase: a 催办 by the analyst (综合科) or a leader; the owner and the addressed unit are texted. */
export function chaseInstruction(ticketId: string, id: string): Promise<Instruction> {
  return http.post<Instruction>(`${base(ticketId)}/${encodeURIComponent(id)}/chase`, {})
}

/** GET /instructions: open ones in the user's scope (`mine`: per role), or a leader's answered ones. */
export function listOpenInstructions(params: { mine?: boolean; status?: 'open' | 'answered' } = {}): Promise<{
  items: Instruction[]
}> {
  const query: Record<string, string> = {}
  if (params.mine) query.mine = '1'
  if (params.status) query.status = params.status
  return http.get<{ items: Instruction[] }>('/instructions', query)
}
