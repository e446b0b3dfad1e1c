// Who is signed in, and the platform's public name, for every page.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { ApiError, api, type PlatformInfo, type User } from './api.ts';
import { queryClient } from './query.ts';

interface SessionValue {
  /** undefined while loading; null when signed out. */
  me: User | null | undefined;
  platform: PlatformInfo | null;
  setMe(user: User | null): void;
  refreshMe(): Promise<void>;
  setPlatformName(name: string): void;
  /** Ends the session on the server; the caller moves away, then clears `me`. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

async function loadMe(): Promise<User | null> {
  try {
    return await api.get<User>('/me', undefined, { redirectOn401: false });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMeState] = useState<User | null | undefined>(undefined);
  // What one person's pages loaded is never shown to the next: signing out, or in as someone else,
  // empties the query cache.
  const current = useRef<User | null | undefined>(undefined);
  const setMe = useCallback((next: User | null | undefined) => {
    if (current.current && current.current.id !== next?.id) queryClient.clear();
    current.current = next;
    setMeState(next);
  }, []);
  const [platform, setPlatform] = useState<PlatformInfo | null>(null);

  const refreshMe = useCallback(async () => {
    try {
      setMe(await loadMe());
    } catch {
      // The server is unreachable: treat as signed out; the sign-in form reports the failure itself.
      setMe(null);
    }
  }, [setMe]);

  useEffect(() => {
    void refreshMe();
    api
      .get<PlatformInfo>('/platform', undefined, { redirectOn401: false })
      .then(setPlatform)
      .catch(() =>
        setPlatform({ platformName: 'Guildhall', supportEmail: null, demo: false, welcomePrompt: null }),
      );
  }, [refreshMe]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      platform,
      setMe,
      refreshMe,
      setPlatformName: (platformName) =>
        setPlatform((current) => ({
          supportEmail: current?.supportEmail ?? null,
          demo: current?.demo ?? false,
          welcomePrompt: current?.welcomePrompt ?? null,
          platformName,
        })),
      async signOut() {
        await api.post('/auth/logout', undefined, { redirectOn401: false });
      },
    }),
    [me, platform, refreshMe, setMe],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

export function usePlatformName(): string {
  return useSession().platform?.platformName ?? 'Guildhall';
}
