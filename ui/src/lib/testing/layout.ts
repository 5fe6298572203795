/**
 * Test support: jsdom lays nothing out, so every element measures 0×0 and a virtualized list
 * renders no row. This gives elements a size and makes `scrollTo` move `scrollTop` (firing
 * `scroll`), as a web view would. Returns the function that puts jsdom back.
 */
export function fakeLayout(width = 1200, height = 720): () => void {
  const proto = HTMLElement.prototype;
  const saved = {
    clientWidth: Object.getOwnPropertyDescriptor(proto, "clientWidth"),
    clientHeight: Object.getOwnPropertyDescriptor(proto, "clientHeight"),
    scrollTo: Object.getOwnPropertyDescriptor(proto, "scrollTo"),
  };
  Object.defineProperty(proto, "clientWidth", { configurable: true, get: () => width });
  Object.defineProperty(proto, "clientHeight", { configurable: true, get: () => height });
  Object.defineProperty(proto, "scrollTo", {
    configurable: true,
    writable: true,
    value(this: HTMLElement, options?: ScrollToOptions | number, y?: number) {
      const top = typeof options === "number" ? (y ?? 0) : (options?.top ?? this.scrollTop);
      this.scrollTop = Math.max(0, top);
      this.dispatchEvent(new Event("scroll"));
    },
  });
  return () => {
    for (const [name, descriptor] of Object.entries(saved)) {
      if (descriptor === undefined) {
        delete (proto as unknown as Record<string, unknown>)[name];
      } else {
        Object.defineProperty(proto, name, descriptor);
      }
    }
  };
}
