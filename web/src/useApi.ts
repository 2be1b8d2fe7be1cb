/** Reads from the API for a screen, with the loading and failure states every screen shows. */
import { useCallback, useEffect, useState } from 'react';
import { ApiProblem, type Problem } from './api.js';

export type Loaded<T> =
  { status: 'loading' } | { status: 'failed'; problem: Problem } | { status: 'ready'; value: T };

export function useApi<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    load().then(
      (value) => current && setState({ status: 'ready', value }),
      (error: unknown) => current && setState({ status: 'failed', problem: asProblem(error) }),
    );
    return () => {
      current = false;
    };
    // The caller names what the load depends on, as with useEffect itself.
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return [state, reload];
}

export function asProblem(error: unknown): Problem {
  if (error instanceof ApiProblem) return error.problem;
  return {
    status: 0,
    code: 'unexpected',
    title: 'Something went wrong',
    detail: error instanceof Error ? error.message : String(error),
  };
}

/**
 * A person's action against the API: busy while it runs, the product's refusal kept to
 * show, and `done` called with the answer when it succeeds.
 */
export function useAction(): {
  busy: boolean;
  problem: Problem | null;
  run: <T>(action: () => Promise<T>, done?: (value: T) => void) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useCallback(async <T>(action: () => Promise<T>, done?: (value: T) => void) => {
    setBusy(true);
    setProblem(null);
    try {
      const value = await action();
      done?.(value);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, run };
}
