//! Offline questions over the cache.
