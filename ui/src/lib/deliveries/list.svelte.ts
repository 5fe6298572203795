/**
 * The deliveries the table scrolls through, fetched as keyset pages of {@link PAGE_SIZE} rows.
 *
 * The list grows as the operator scrolls near its end ({@link DeliveryList.ensure}). To scroll
 * through a million attempts without holding them all, only {@link RESIDENT_PAGES} pages keep
 * their rows; the others keep the cursor that fetched them and are fetched again when they come
 * back into view. Every page but the last holds exactly `PAGE_SIZE` rows, so row `i` is in page
 * `i / PAGE_SIZE`.
 *
 * {@link DeliveryList.refresh} re-reads the pages already loaded from the top (after a sync
 * committed new data) and swaps them in at once, so that the rows the operator looks at change
 * in place. A reset (new filter or sort) drops every answer still on its way; the previous rows
 * stay until the new first page replaces them, so that the table does not flash empty.
 */
import type { DeliveryFilter } from "../bindings/DeliveryFilter";
import type { DeliveryPage } from "../bindings/DeliveryPage";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import type { Sort } from "../bindings/Sort";
import { call, type ErrorDto } from "../ipc";

/** Rows per call. */
export const PAGE_SIZE = 200;
/**
 * Pages that keep their rows in memory (3,200 rows: some fifty screens). A page coming back
 * into view is fetched again by its cursor in a few milliseconds; holding more only grows
 * the web process.
 */
export const RESIDENT_PAGES = 16;
/** Rows from the end of the list at which the next page is fetched. */
export const PREFETCH_ROWS = 100;

interface Page {
  /** The cursor that fetched it; `null` for the first page. */
  cursor: string | null;
  /** Its rows, `null` once evicted. */
  rows: readonly DeliveryRow[] | null;
  length: number;
}

export class DeliveryList {
  #pages = $state.raw<Page[]>([]);
  /** Rows known to the list, resident or not. */
  readonly count = $derived(this.#pages.reduce((sum, page) => sum + page.length, 0));
  /** Every page is loaded. */
  done = $state(false);
  /** The first page is on its way after a reset. */
  loading = $state(false);
  /** The next page is on its way. */
  loadingMore = $state(false);
  /** A refresh is under way. */
  refreshing = $state(false);
  /** Why the first page failed: the list is empty. */
  error = $state<ErrorDto | null>(null);
  /** Why the next page (or a page fetched again) failed. */
  moreError = $state<ErrorDto | null>(null);
  /** Why the last refresh failed: the rows are the previous answer. */
  refreshError = $state<ErrorDto | null>(null);

  #filter: DeliveryFilter = {};
  #sort: Sort = { key: "created_at", direction: "desc" };
  #next: string | null = null;
  #seq = 0;
  #started = false;
  #visible: [number, number] = [0, 0];
  #refetching = new Set<number>();
  #refreshQueued: DeliveryFilter | null = null;

  /** The row at `index`, `undefined` when not resident (or past the end). */
  row(index: number): DeliveryRow | undefined {
    return this.#pages[Math.floor(index / PAGE_SIZE)]?.rows?.[index % PAGE_SIZE];
  }

  /** Where a resident row is, or -1. */
  indexOf(attemptId: string): number {
    const pages = this.#pages;
    for (let p = 0; p < pages.length; p++) {
      const at = pages[p]?.rows?.findIndex((row) => row.attempt_id === attemptId) ?? -1;
      if (at >= 0) {
        return p * PAGE_SIZE + at;
      }
    }
    return -1;
  }

  /** The rows in memory, in list order: the loaded rows but those of evicted pages. */
  resident(): DeliveryRow[] {
    return this.#pages.flatMap((page) => page.rows ?? []);
  }

  /** How many pages keep their rows. */
  get residentPages(): number {
    return this.#pages.filter((page) => page.rows !== null).length;
  }

  /** Starts over with a new filter or sort: loads the first page. */
  async reset(filter: DeliveryFilter, sort: Sort): Promise<void> {
    const seq = ++this.#seq;
    this.#filter = filter;
    this.#sort = sort;
    this.#next = null;
    this.#started = false;
    this.#refetching.clear();
    this.#refreshQueued = null;
    // The previous rows stay on screen (busy) until the answer replaces them.
    this.done = false;
    this.loading = true;
    this.loadingMore = false;
    this.refreshing = false;
    this.error = null;
    this.moreError = null;
    this.refreshError = null;
    try {
      const page = await this.#fetch(null);
      if (seq !== this.#seq) {
        return;
      }
      this.#pages = [{ cursor: null, rows: page.rows, length: page.rows.length }];
      this.#next = page.next_cursor;
      this.done = page.next_cursor === null;
      this.#started = true;
    } catch (failure) {
      if (seq === this.#seq) {
        this.#pages = [];
        this.error = failure as ErrorDto;
      }
    } finally {
      if (seq === this.#seq) {
        this.loading = false;
      }
    }
  }

  /** Appends the next page, unless one is on its way or the end is reached. */
  async loadMore(): Promise<void> {
    if (!this.#started || this.done || this.loadingMore || this.#next === null) {
      return;
    }
    const seq = this.#seq;
    const cursor = this.#next;
    this.loadingMore = true;
    this.moreError = null;
    try {
      const page = await this.#fetch(cursor);
      if (seq !== this.#seq || this.#next !== cursor) {
        return;
      }
      this.#pages = [...this.#pages, { cursor, rows: page.rows, length: page.rows.length }];
      this.#next = page.next_cursor;
      this.done = page.next_cursor === null;
      this.#evict();
    } catch (failure) {
      if (seq === this.#seq) {
        this.moreError = failure as ErrorDto;
      }
    } finally {
      if (seq === this.#seq) {
        this.loadingMore = false;
      }
    }
  }

  /**
   * Tells the list which rows are on screen: fetches again the pages among them that were
   * evicted, and the next page when they come near the end.
   */
  ensure(start: number, end: number): void {
    this.#visible = [start, end];
    if (!this.#started) {
      // The rows on screen answer the previous filter; the new one's first page is coming.
      return;
    }
    const first = Math.max(0, Math.floor(start / PAGE_SIZE));
    const last = Math.min(this.#pages.length - 1, Math.floor(end / PAGE_SIZE));
    for (let p = first; p <= last; p++) {
      if (this.#pages[p]?.rows === null) {
        void this.#refetch(p);
      }
    }
    if (end >= this.count - PREFETCH_ROWS) {
      void this.loadMore();
    }
  }

  async #refetch(index: number): Promise<void> {
    const page = this.#pages[index];
    if (page === undefined || this.#refetching.has(index)) {
      return;
    }
    const seq = this.#seq;
    this.#refetching.add(index);
    try {
      const answer = await this.#fetch(page.cursor);
      if (seq !== this.#seq || this.#pages[index] !== page) {
        return;
      }
      const pages = [...this.#pages];
      pages[index] = { ...page, rows: answer.rows.slice(0, page.length) };
      this.#pages = pages;
      this.#evict();
    } catch (failure) {
      if (seq === this.#seq) {
        this.moreError = failure as ErrorDto;
      }
    } finally {
      if (seq === this.#seq) {
        this.#refetching.delete(index);
      }
    }
  }

  /** Drops the rows of the pages farthest from the screen beyond {@link RESIDENT_PAGES}. */
  #evict(): void {
    const resident = this.#pages.flatMap((page, index) => (page.rows === null ? [] : [index]));
    if (resident.length <= RESIDENT_PAGES) {
      return;
    }
    const centre = (this.#visible[0] + this.#visible[1]) / 2 / PAGE_SIZE;
    resident.sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    const pages = [...this.#pages];
    for (const index of resident.slice(0, resident.length - RESIDENT_PAGES)) {
      const page = pages[index];
      if (page !== undefined) {
        pages[index] = { ...page, rows: null };
      }
    }
    this.#pages = pages;
  }

  /**
   * Reads the loaded pages again from the top, with `filter` (a preset time window moves with
   * the clock), and swaps them in at once; pages that were evicted stay so. A refresh asked for
   * while one runs happens once after it, with the latest filter.
   */
  async refresh(filter: DeliveryFilter = this.#filter): Promise<void> {
    if (!this.#started) {
      if (!this.loading) {
        await this.reset(filter, this.#sort);
      }
      return;
    }
    if (this.refreshing) {
      this.#refreshQueued = filter;
      return;
    }
    const seq = this.#seq;
    this.refreshing = true;
    try {
      const old = this.#pages;
      const pages: Page[] = [];
      let cursor: string | null = null;
      for (let p = 0; p < Math.max(1, old.length); p++) {
        const answer: DeliveryPage = await this.#fetch(cursor, filter);
        if (seq !== this.#seq) {
          return;
        }
        const keep = old[p] === undefined || old[p]?.rows !== null;
        pages.push({ cursor, rows: keep ? answer.rows : null, length: answer.rows.length });
        cursor = answer.next_cursor;
        if (cursor === null) {
          break;
        }
      }
      this.#filter = filter;
      this.#pages = pages;
      this.#next = cursor;
      this.done = cursor === null;
      this.refreshError = null;
      this.moreError = null;
    } catch (failure) {
      if (seq === this.#seq) {
        this.refreshError = failure as ErrorDto;
      }
    } finally {
      if (seq === this.#seq) {
        this.refreshing = false;
        const queued = this.#refreshQueued;
        this.#refreshQueued = null;
        if (queued !== null) {
          await this.refresh(queued);
        }
      }
    }
  }

  #fetch(cursor: string | null, filter: DeliveryFilter = this.#filter): Promise<DeliveryPage> {
    return call("query_deliveries", {
      query: {
        filter,
        sort: this.#sort,
        limit: PAGE_SIZE,
        ...(cursor === null ? {} : { cursor }),
      },
    });
  }
}
