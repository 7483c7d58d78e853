/** Roles of docs/api.md; the same string values as the backend's enum. */
export const ROLES = ['operator', 'analyst', 'leader', 'unit_handler', 'records', 'admin', 'auditor'] as const
export type Role = (typeof ROLES)[number]

export interface User {
  id: string
  name: string
  role: Role
  unit_id: string | null
}

export interface LoginRequest {
  username: string
  password: string
}

/** Tokens and the user (no refresh token: it never reaches the browser, R-SEC-05). */
export interface LoginResponse {
  id_token: string
  access_token: string
  /** Seconds the id token stays valid. */
  expires_in: number
  user: User
}

/** The password was right; the TOTP code comes next (R-SEC-06). `TOTP_SETUP`: enrol an authenticator first. */
export interface TotpChallenge {
  challenge: 'TOTP' | 'TOTP_SETUP'
  session: string
  otpauth_uri?: string
  /** The otpauth URI as a QR code (SVG data URI). */
  qr_svg?: string
  secret?: string
}

export interface MfaRequest {
  session: string
  code: string
}
