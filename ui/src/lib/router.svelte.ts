/**
 * Hash routing, small on purpose: the current path as reactive state, `go` to navigate (a new
 * history entry) and `replace` to correct a path without one.
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

  /** Navigates to `path`, adding a history entry. */
  go(path: string): void {
    this.#window.location.hash = `#${path}`;
    this.path = path;
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
