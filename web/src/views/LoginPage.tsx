import { useState, type FormEvent } from "react";
import type { Notice } from "../notice.ts";
import { describeError } from "../errors.ts";

const DEMO_PASSWORD = "junggo-demo";
const DEMO_ACCOUNTS = [
  { email: "buyer@junggo.test", label: "Buyer", role: "buyer" },
  { email: "driver@junggo.test", label: "Driver", role: "driver" },
  { email: "staff@junggo.test", label: "Staff", role: "staff" },
  { email: "seller@junggo.test", label: "Seller", role: "seller" },
] as const;

export function LoginPage({
  onLogin,
  notice,
}: {
  onLogin: (email: string, password: string) => Promise<void>;
  notice?: Notice;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onLogin(email.trim(), password);
    } catch (err) {
      setError(describeError(err).message);
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <section className="login-hero">
        <div className="brand brand-large">
          <span className="brand-mark">중</span>
          <span className="brand-name">Junggo</span>
        </div>
        <p className="tagline">
          Certified used cars, delivered to your door — and you watch every step live.
        </p>
      </section>
      <form className="card login-card" onSubmit={submit} data-testid="login-form">
        <h1>Log in</h1>
        {notice && (
          <p className={`alert alert-${notice.tone}`} role="status" data-testid="login-notice">
            {notice.text}
          </p>
        )}
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="login-email"
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
        </label>
        {error && (
          <p className="alert alert-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button
          type="submit"
          className="btn btn-primary btn-block"
          disabled={busy}
          data-testid="login-submit"
        >
          {busy ? "Logging in…" : "Log in"}
        </button>
        <div className="demo-picks">
          <span className="muted">Demo accounts (password {DEMO_PASSWORD}):</span>
          <div className="demo-buttons">
            {DEMO_ACCOUNTS.map((a) => (
              <button
                key={a.email}
                type="button"
                className="chip"
                data-testid={`demo-${a.role}`}
                onClick={() => {
                  setEmail(a.email);
                  setPassword(DEMO_PASSWORD);
                  setError(null);
                }}
              >
                {a.label}
              </button>
            ))}
          </div>
        </div>
      </form>
    </div>
  );
}
