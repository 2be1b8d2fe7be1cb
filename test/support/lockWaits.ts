/**
 * Whether a second writer waits for a first one's locks: `first` runs in a transaction
 * held open until `second`, in another transaction under a 2 s `lock_timeout`, has
 * ended. A lock `second` needs and `first` holds fails it with "lock timeout".
 */
import { sql } from 'kysely';
import type { Store, Tx } from '../../src/store/database.js';

export async function whileHeldOpen<A, B>(
  store: Store,
  first: (tx: Tx) => Promise<A>,
  second: (tx: Tx) => Promise<B>,
): Promise<[A, B]> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let done!: () => void;
  const firstDone = new Promise<void>((resolve) => (done = resolve));
  const open = store.write(async (tx) => {
    const value = await first(tx);
    done();
    await held;
    return value;
  });
  await firstDone;
  const meanwhile = await store
    .write(async (tx) => {
      await sql`set local lock_timeout = '2s'`.execute(tx);
      return second(tx);
    })
    .finally(release);
  return [await open, meanwhile];
}
