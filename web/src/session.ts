/** The signed-in user's token and what `me` says about it, kept in sessionStorage per tab. */
import { computed, reactive } from 'vue'

const KEY = 'nimbus.session'

export interface Session {
  token: string
  expiresAt: string
  domain: string
  username: string
  project: string
}

export interface Me {
  userId: string
  userName: string
  projectId: string
  projectName: string
  roles: string[]
  permissions: string[]
}

interface State {
  session: Session | null
  me: Me | null
  expired: boolean
}

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    const parsed = raw ? (JSON.parse(raw) as Session) : null
    return parsed && new Date(parsed.expiresAt).getTime() > Date.now() ? parsed : null
  } catch {
    return null
  }
}

export const state = reactive<State>({ session: load(), me: null, expired: false })

let expiryTimer: ReturnType<typeof setTimeout> | undefined
const listeners: Array<() => void> = []

/** Called when the session ends on its own (expiry, revoked token): the router sends the user to login. */
export function onSessionEnd(listener: () => void): void {
  listeners.push(listener)
}

function armExpiry(session: Session): void {
  clearTimeout(expiryTimer)
  const ms = new Date(session.expiresAt).getTime() - Date.now()
  // setTimeout overflows past ~24.8 days; tokens live hours.
  expiryTimer = setTimeout(() => endSession(true), Math.max(0, Math.min(ms, 2 ** 31 - 1)))
}

export function startSession(session: Session): void {
  state.session = session
  state.me = null
  state.expired = false
  sessionStorage.setItem(KEY, JSON.stringify(session))
  armExpiry(session)
}

export function setMe(me: Me): void {
  state.me = me
}

export function endSession(expired = false): void {
  clearTimeout(expiryTimer)
  const had = state.session !== null
  state.session = null
  state.me = null
  state.expired = expired
  sessionStorage.removeItem(KEY)
  if (had && expired) listeners.forEach((l) => l())
}

export function token(): string | null {
  return state.session?.token ?? null
}

/** Permissions are patterns-free names (`compute.server.create`) as `me.permissions` lists them. */
export function can(permission: string): boolean {
  return state.me?.permissions.includes(permission) ?? false
}

export const isSignedIn = computed(() => state.session !== null)

if (state.session) armExpiry(state.session)
