// One change at a time inside a workflow: a handler or the main loop waits its
// turn, then re-checks what it came to do (the state may have moved).
import { condition } from '@temporalio/workflow';

export interface Lock {
  run<T>(fn: () => Promise<T>): Promise<T>;
  readonly held: boolean;
}

export function createLock(): Lock {
  let busy = false;
  return {
    get held() {
      return busy;
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      // re-check after every wake-up: several waiters can be released at once
      while (busy) await condition(() => !busy);
      busy = true;
      try {
        return await fn();
      } finally {
        busy = false;
      }
    },
  };
}
