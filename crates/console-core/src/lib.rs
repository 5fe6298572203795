//! Hook0 Console's behaviour, with no GUI dependency.
//!
//! The desktop shell (`src-tauri`) and the command line only wire these modules to their
//! front ends; everything that can be tested headless lives here. Core functions take their
//! dependencies (HTTP client, storage paths, clock) as arguments and never a window handle.

pub mod api;
pub mod audit;
pub mod bindings;
pub mod cache;
pub mod console;
pub mod error;
pub mod gate;
pub mod incident;
pub mod ipc;
pub mod notify;
pub mod profile;
pub mod query;
pub mod record;
pub mod replay;
mod schema;
pub mod sync;
pub mod vault;

pub use console::Console;
pub use error::{ErrorCode, ErrorDetail, ErrorDto};
