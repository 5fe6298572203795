/**
 * One independently loaded part of a page: its last answer, the error of the last attempt, and
 * whether a load is under way. Answers to an older load are dropped, so that a slow query for a
 * previous window never replaces a newer one.
 */
import type { ErrorDto } from "../ipc";

export class Section<T> {
  /** The last answer, `null` before the first. Kept during a reload. */
  data = $state<T | null>(null);
  /** Why the last load failed; `null` once one succeeds. */
  error = $state<ErrorDto | null>(null);
  loading = $state(false);

  #seq = 0;

  /** Runs `query` and keeps its answer unless a newer load started meanwhile. */
  async load(query: () => Promise<T>): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const data = await query();
      if (seq === this.#seq) {
        this.data = data;
        this.error = null;
      }
    } catch (failure) {
      if (seq === this.#seq) {
        this.error = failure as ErrorDto;
      }
    } finally {
      if (seq === this.#seq) {
        this.loading = false;
      }
    }
  }
}
