/**
 * The table's window onto the list: `@tanstack/virtual-core` told the row count and height,
 * its visible rows kept as state. Rows have a fixed height per density, so nothing is measured
 * and a million rows cost no more than a hundred.
 */
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
  type VirtualItem,
} from "@tanstack/virtual-core";

/** Rows rendered beyond the screen, each way. */
export const OVERSCAN = 10;

export class VirtualRows {
  /** The rows to render, with their offsets. */
  items = $state.raw<VirtualItem[]>([]);
  /** Height of all rows together, in pixels (the header not included). */
  totalSize = $state(0);

  readonly #virtualizer: Virtualizer<HTMLElement, HTMLElement>;
  #element: HTMLElement | null = null;
  #rowHeight: number;

  /**
   * `headerHeight`: what precedes the rows inside the scrolling element (a sticky header); row
   * offsets include it, and a row brought into view is not hidden under it.
   */
  constructor(count: number, rowHeight: number, headerHeight = 0) {
    this.#rowHeight = rowHeight;
    this.#virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
      count,
      estimateSize: () => this.#rowHeight,
      overscan: OVERSCAN,
      scrollMargin: headerHeight,
      scrollPaddingStart: headerHeight,
      getScrollElement: () => this.#element,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      // Until the element is measured (and where nothing measures, as in tests).
      initialRect: { width: 1200, height: 720 },
      onChange: () => this.#read(),
    });
    this.#read();
  }

  /** Follows `element`'s scrolling and size. Returns the function that stops. */
  attach(element: HTMLElement): () => void {
    this.#element = element;
    const cleanup = this.#virtualizer._didMount();
    this.#virtualizer._willUpdate();
    this.#read();
    return () => {
      cleanup();
      this.#element = null;
    };
  }

  /** Takes a new row count or row height. */
  update(count: number, rowHeight: number): void {
    const heightChanged = rowHeight !== this.#rowHeight;
    this.#rowHeight = rowHeight;
    this.#virtualizer.setOptions({ ...this.#virtualizer.options, count });
    if (heightChanged) {
      this.#virtualizer.measure();
    }
    this.#virtualizer._willUpdate();
    this.#read();
  }

  /** Brings row `index` into view, moving as little as needed. */
  scrollToIndex(index: number): void {
    this.#virtualizer.scrollToIndex(index, { align: "auto" });
  }

  /** The rows on screen (without overscan), as first and last index. */
  get range(): [number, number] {
    const range = this.#virtualizer.range;
    return range === null ? [0, 0] : [range.startIndex, range.endIndex];
  }

  #read(): void {
    this.items = this.#virtualizer.getVirtualItems();
    this.totalSize = this.#virtualizer.getTotalSize();
  }
}
