//! Reading and replacing the vault file.
//!
//! A write goes to a temporary file in the same directory (mode 0600 on Unix), is flushed to
//! disk, then renamed over the vault, and the directory is flushed so the rename itself
//! survives a crash. At every instant the path holds either the whole old vault or the whole
//! new one. A read is bounded by the largest possible vault before anything is allocated.

use std::fs;
use std::io::{Read as _, Write as _};
use std::path::Path;

use super::VaultError;
use super::format::MAX_FILE_LEN;

/// Whether a write may replace an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replace {
    /// `create`: fail with `AlreadyExists` if anything is at the path.
    Never,
    /// Every later write.
    Existing,
}

pub(super) fn read(path: &Path) -> Result<Vec<u8>, VaultError> {
    let file = fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => VaultError::NotFound {
            path: path.display().to_string(),
        },
        _ => VaultError::io(path, &e),
    })?;
    let limit = u64::try_from(MAX_FILE_LEN).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| VaultError::io(path, &e))?;
    Ok(bytes)
}

pub(super) fn write(path: &Path, bytes: &[u8], replace: Replace) -> Result<(), VaultError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".vault-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| VaultError::io(dir, &e))?;
    restrict(temp.as_file()).map_err(|e| VaultError::io(temp.path(), &e))?;
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    temp.write_all(first)
        .and_then(|()| fault::check(fault::FailAt::Write))
        .and_then(|()| temp.write_all(rest))
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| VaultError::io(path, &e))?;
    fault::check(fault::FailAt::Rename).map_err(|e| VaultError::io(path, &e))?;
    match replace {
        Replace::Never => temp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                VaultError::AlreadyExists {
                    path: path.display().to_string(),
                }
            } else {
                VaultError::io(path, &e.error)
            }
        })?,
        Replace::Existing => temp
            .persist(path)
            .map_err(|e| VaultError::io(path, &e.error))?,
    };
    sync_dir(dir).map_err(|e| VaultError::io(dir, &e))
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> Result<(), VaultError> {
    use std::os::unix::fs::DirBuilderExt as _;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| VaultError::io(dir, &e))
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> Result<(), VaultError> {
    fs::create_dir_all(dir).map_err(|e| VaultError::io(dir, &e))
}

#[cfg(unix)]
fn restrict(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Failures injected by the unit tests, to prove an interrupted write leaves the old vault.
pub(super) mod fault {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(in super::super) enum FailAt {
        Write,
        Rename,
    }

    #[cfg(test)]
    thread_local! {
        pub(in super::super) static NEXT: std::cell::Cell<Option<FailAt>> =
            const { std::cell::Cell::new(None) };
    }

    #[cfg(test)]
    pub(super) fn check(at: FailAt) -> std::io::Result<()> {
        if NEXT.with(|next| next.get()) == Some(at) {
            NEXT.with(|next| next.set(None));
            return Err(std::io::Error::other("injected failure"));
        }
        Ok(())
    }

    #[cfg(not(test))]
    #[inline(always)]
    pub(super) fn check(_at: FailAt) -> std::io::Result<()> {
        Ok(())
    }
}
