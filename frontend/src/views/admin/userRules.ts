/** Account rules the server enforces (services/admin_directory.py), checked before sending. */
export const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/

/** At least 12 characters with lower case, upper case, a digit and a symbol. */
export function isStrongPassword(value: string | null | undefined): boolean {
  const v = value ?? ''
  return v.length >= 12 && /[a-z]/.test(v) && /[A-Z]/.test(v) && /\d/.test(v) && /[^A-Za-z0-9]/.test(v)
}
