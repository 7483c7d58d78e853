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
