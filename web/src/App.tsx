import { ApolloProvider } from "@apollo/client/react";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { createApi, gqlFetch, type Api } from "./api.ts";
import {
  forgetToken,
  isExpired,
  SESSION_EXPIRED,
  storedToken,
  storeToken,
  tokenExpiry,
  type Account,
  type Session,
} from "./auth.ts";
import { NotificationBell } from "./components/NotificationBell.tsx";
import { describeError, errorCode } from "./errors.ts";
import { LOGIN, ME } from "./graphql.ts";
import type { Notice } from "./notice.ts";
import { BuyerView } from "./views/BuyerView.tsx";
import { DriverView } from "./views/DriverView.tsx";
import { LoginPage } from "./views/LoginPage.tsx";
import { SellerView } from "./views/SellerView.tsx";
import { StaffView } from "./views/StaffView.tsx";

type State =
  | { kind: "checking" }
  | { kind: "signedOut"; notice?: Notice }
  | { kind: "signedIn"; session: Session };

const EXPIRED: Notice = { tone: "error", text: SESSION_EXPIRED };

function initialState(): State {
  const token = storedToken();
  if (!token) return { kind: "signedOut" };
  if (isExpired(token)) {
    forgetToken();
    return { kind: "signedOut", notice: EXPIRED };
  }
  return { kind: "checking" };
}

export function App() {
  const [state, setState] = useState<State>(initialState);

  // A stored, unexpired token: ask the API who it belongs to (it may have been revoked or signed
  // with another secret).
  useEffect(() => {
    if (state.kind !== "checking") return;
    const token = storedToken();
    if (!token) return setState({ kind: "signedOut" });
    let cancelled = false;
    gqlFetch(ME, {}, token)
      .then((d) => {
        if (cancelled) return;
        if (d.me)
          setState({ kind: "signedIn", session: { token, account: d.me, expiresAt: tokenExpiry(token) } });
        else {
          forgetToken();
          setState({ kind: "signedOut", notice: EXPIRED });
        }
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        if (errorCode(err) === "UNAUTHENTICATED") {
          forgetToken();
          setState({ kind: "signedOut", notice: EXPIRED });
        } else setState({ kind: "signedOut", notice: { tone: "error", text: describeError(err).message } });
      });
    return () => {
      cancelled = true;
    };
  }, [state.kind]);

  const login = useCallback(async (email: string, password: string) => {
    const d = await gqlFetch(LOGIN, { email, password });
    storeToken(d.login.token);
    setState({
      kind: "signedIn",
      session: { token: d.login.token, account: d.login.account, expiresAt: tokenExpiry(d.login.token) },
    });
  }, []);

  const logout = useCallback((reason: "user" | "expired") => {
    forgetToken();
    setState((s) =>
      s.kind === "signedOut"
        ? s
        : {
            kind: "signedOut",
            notice: reason === "expired" ? EXPIRED : { tone: "info", text: "You have logged out." },
          },
    );
  }, []);

  if (state.kind === "checking")
    return (
      <div className="splash" data-testid="splash">
        Loading Junggo…
      </div>
    );
  if (state.kind === "signedOut") return <LoginPage onLogin={login} notice={state.notice} />;
  return <SignedIn key={state.session.token} session={state.session} onLogout={logout} />;
}

/** Everything behind login. Owns the session's Apollo client and websocket. */
function SignedIn({
  session,
  onLogout,
}: {
  session: Session;
  onLogout: (reason: "user" | "expired") => void;
}) {
  const [api, setApi] = useState<Api | null>(null);
  const logoutRef = useRef(onLogout);
  logoutRef.current = onLogout;

  useEffect(() => {
    const created = createApi(
      () => session.token,
      () => logoutRef.current("expired"),
    );
    setApi(created);
    return () => created.dispose();
  }, [session.token]);

  // Log out when the token expires, also when the tab slept through the moment.
  useEffect(() => {
    const exp = session.expiresAt;
    if (exp === null) return;
    const check = () => {
      if (isExpired(session.token)) logoutRef.current("expired");
    };
    const timer = setTimeout(check, Math.min(Math.max(exp - 5_000 - Date.now(), 0), 2 ** 31 - 1));
    window.addEventListener("focus", check);
    document.addEventListener("visibilitychange", check);
    return () => {
      clearTimeout(timer);
      window.removeEventListener("focus", check);
      document.removeEventListener("visibilitychange", check);
    };
  }, [session.token, session.expiresAt]);

  if (!api) return null;
  return (
    <ApolloProvider client={api.client}>
      <Shell api={api} account={session.account} onLogout={() => onLogout("user")} />
    </ApolloProvider>
  );
}

function LiveIndicator({ api }: { api: Api }) {
  const state = useSyncExternalStore(api.live.subscribe, api.live.get);
  const label = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
  return (
    <span
      className={`live live-${state}`}
      data-testid="live-indicator"
      data-state={state}
      title="Live updates (graphql-ws)"
    >
      <span className="live-dot" aria-hidden /> {label}
    </span>
  );
}

function Shell({ api, account, onLogout }: { api: Api; account: Account; onLogout: () => void }) {
  return (
    <div className="app" data-testid="app" data-role={account.role}>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark">중</span>
          <span className="brand-name">Junggo</span>
          <span className="role-badge" data-testid="role">
            {account.role.toLowerCase()}
          </span>
        </div>
        <div className="topbar-right">
          <LiveIndicator api={api} />
          <NotificationBell />
          <span className="who" data-testid="account-name">
            {account.name}
          </span>
          <button type="button" className="btn btn-ghost" data-testid="logout" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main className="content">
        {account.role === "DRIVER" ? (
          <DriverView account={account} />
        ) : account.role === "STAFF" ? (
          <StaffView />
        ) : account.role === "SELLER" ? (
          <SellerView />
        ) : (
          <BuyerView canBuy={account.role === "BUYER"} />
        )}
      </main>
    </div>
  );
}
