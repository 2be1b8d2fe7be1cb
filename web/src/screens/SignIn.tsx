/** Sign-in with an API token; the token is checked against GET /me before it is kept. */
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, session, type Me, type Problem } from '../api.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { asProblem } from '../useApi.js';

export function SignIn() {
  const navigate = useNavigate();
  const location = useLocation();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await api<Me>('GET', '/me', undefined, token.trim());
      session.signIn(token.trim());
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== '/sign-in' ? from : '/', { replace: true });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>Sign in to Gatehouse</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          required
          value={token}
          onChange={(event) => setToken(event.target.value)}
        />
        <p className="hint">
          Create one with <code>gatehouse token create</code>. It is kept in this tab only.
        </p>
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {problem && <ProblemNotice problem={problem} />}
    </main>
  );
}
