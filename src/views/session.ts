import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionAccount } from '../ipc/contract';

export interface SessionContextValue {
  user: SessionAccount;
  /** Asks the core again who is signed in (after login, logout, or a lost session). */
  refresh: () => void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in shell');
  return value;
}
