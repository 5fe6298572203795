/**
 * Hash routing, small on purpose: the current path as reactive state, following `hashchange`.
 * Navigation is plain links (`<a href="#/deliveries">`); `replace` corrects a path (a redirect)
 * without adding a history entry.
 */
import { pathFromHash } from "./routes";

export class HashRouter {
  /** The current path, e.g. `/settings/profiles`. */
  path = $state("/");

  readonly #window: Window;
  readonly #onHashChange = (): void => {
    this.path = pathFromHash(this.#window.location.hash);
  };

  constructor(win: Window = window) {
    this.#window = win;
    this.path = pathFromHash(win.location.hash);
    win.addEventListener("hashchange", this.#onHashChange);
  }

  /** Shows `path` in place of the current one, without a history entry. */
  replace(path: string): void {
    const { pathname, search } = this.#window.location;
    this.#window.history.replaceState(this.#window.history.state, "", `${pathname}${search}#${path}`);
    this.path = path;
  }

  /** Stops following the location. */
  destroy(): void {
    this.#window.removeEventListener("hashchange", this.#onHashChange);
  }
}
