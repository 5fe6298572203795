//! Everything the explorer benchmark assumes about the deliveries page, in one place: its
//! selectors, the filter parameters of its URL, and the scripts that time it inside the page.
//! Align these with the page when it changes; nothing else in the benchmark names the DOM.

/// One delivery row of the table.
pub const ROW_SELECTOR: &str = "[role='row'][data-attempt-id]";
/// The table's scrolling container (scrolled while browsing).
pub const TABLE_SELECTOR: &str = "[data-testid='deliveries-grid']";
/// Present once the rows for a filter are rendered; its value is the URL hash's query (what
/// follows `?` in `#/deliveries?…`, exactly as set, empty for no filter).
pub const LOADED_FILTER_SELECTOR: &str = "[data-loaded-filter]";
/// The attribute of [`LOADED_FILTER_SELECTOR`] holding that query.
pub const LOADED_FILTER_ATTRIBUTE: &str = "data-loaded-filter";
/// What a delivery row opens (closed again with Escape).
pub const DETAIL_SELECTOR: &str = "[data-testid='delivery-detail']";
/// The unlock form and its submit button.
pub const UNLOCK_FORM_XPATH: &str = "//form[@aria-label='Unlock the console']";
pub const UNLOCK_SUBMIT_SELECTOR: &str =
    "form[aria-label='Unlock the console'] button[type=submit]";
/// The heading of a page not built yet ("Deliveries" on the deliveries placeholder): until
/// the real page lands, the benchmark times the way to it instead of to rows, and says so.
pub const PLACEHOLDER_HEADING_SELECTOR: &str = "#placeholder-title";

/// The deliveries page's hash path.
pub const DELIVERIES_HASH: &str = "#/deliveries";

/// Filter parameters of the deliveries URL (`#/deliveries?status=failed&class=5`; see
/// `ui/src/lib/deliveries/view.ts`).
pub mod param {
    pub const STATUS: &str = "status";
    pub const HTTP_CLASS: &str = "class";
    pub const SUBSCRIPTION: &str = "sub";
    pub const EVENT_TYPE: &str = "type";
    /// RFC 3339, inclusive.
    pub const FROM: &str = "from";
    /// RFC 3339, exclusive.
    pub const UNTIL: &str = "until";
    /// Words searched in payloads.
    pub const SEARCH: &str = "q";
    pub const MIN_RETRY: &str = "retry_min";
}

/// Sends the unlock form (already filled) and waits, frame by frame, for the first delivery
/// row — or for the placeholder heading while the page is not built. Answers
/// `{found: "rows" | "placeholder", ms}` measured with the page's own clock, so no WebDriver
/// round trip falls inside the span.
/// Arguments: submit selector, row selector, placeholder selector, time limit (ms).
pub const FIRST_ROWS_SCRIPT: &str = r##"
const [submit, rows, placeholder, limit] = arguments;
const done = arguments[arguments.length - 1];
const button = document.querySelector(submit);
if (!button) { done({ error: "no unlock button " + submit }); return; }
const start = performance.now();
button.click();
const tick = () => {
  const now = performance.now();
  if (document.querySelector(rows)) { done({ found: "rows", ms: now - start }); return; }
  const heading = document.querySelector(placeholder);
  if (heading && heading.textContent.trim() === "Deliveries") {
    done({ found: "placeholder", ms: now - start });
    return;
  }
  if (now - start > limit) { done({ error: "nothing shown after " + limit + " ms" }); return; }
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"##;

/// Changes the filter through the URL and waits, frame by frame, until the page marks the
/// rows of that filter as rendered. Answers `{ms}` (page clock) or `{error}`.
/// Arguments: hash, its query, marker selector, marker attribute, time limit (ms).
pub const FILTER_SCRIPT: &str = r##"
const [hash, query, marker, attribute, limit] = arguments;
const done = arguments[arguments.length - 1];
const start = performance.now();
location.hash = hash;
const tick = () => {
  const now = performance.now();
  const element = document.querySelector(marker);
  if (element && element.getAttribute(attribute) === query) { done({ ms: now - start }); return; }
  if (now - start > limit) {
    done({ error: "marker " + (element ? element.getAttribute(attribute) : "absent") });
    return;
  }
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
"##;

/// Without the deliveries page: changes the hash and waits two frames (the router's work and
/// a paint). Only proves the timing loop; its figure is not `filter_p95_ms`.
pub const HASH_ONLY_SCRIPT: &str = r##"
const [hash] = arguments;
const done = arguments[arguments.length - 1];
const start = performance.now();
location.hash = hash;
requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - start })));
"##;

/// One step of browsing (run about once a second): scrolls the table down then up, opens a
/// row every few steps and closes it again; without a table, walks between pages and scrolls
/// them. Arguments: step number, table, row and detail selectors.
pub const BROWSE_SCRIPT: &str = r##"
const [step, table, rows, detail] = arguments;
const scroller = document.querySelector(table);
if (scroller) {
  const phase = step % 20;
  const max = scroller.scrollHeight - scroller.clientHeight;
  scroller.scrollTop = phase < 10 ? (max * phase) / 10 : (max * (20 - phase)) / 10;
  if (step % 5 === 4) {
    const all = document.querySelectorAll(rows);
    if (all.length > 0) { all[(step * 7) % all.length].click(); }
  } else if (document.querySelector(detail)) {
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  }
  return "table";
}
const pages = ["#/deliveries", "#/incidents", "#/audit", "#/settings/profiles", "#/settings/about"];
location.hash = pages[step % pages.length];
const main = document.scrollingElement || document.body;
main.scrollTop = step % 2 === 0 ? main.scrollHeight : 0;
return "pages";
"##;
