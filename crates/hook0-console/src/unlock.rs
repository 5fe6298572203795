//! Unlocking the vault from the command line: the passphrase from a prompt or a file
//! descriptor (`--passphrase-fd`, for scripts: never an argument or an environment variable,
//! which other processes can read), the code from `--totp` or a prompt.
//!
//! Each invocation is one unlock, so it spends one authenticator code: two commands within
//! the same 30-second step need the next code (or a recovery code).

use std::io::{IsTerminal as _, Read as _};

use anyhow::{Context, bail};
use console_core::Console;
use console_core::gate::{GateOptions, KeyringChoice, SystemClock};
use console_core::ipc::UnlockRequest;
use console_core::vault::KdfParams;
use secrecy::{ExposeSecret as _, SecretString};

/// How this invocation unlocks, from the global flags.
#[derive(Debug, Clone, Default)]
pub struct UnlockArgs {
    pub passphrase_fd: Option<u32>,
    pub totp: Option<String>,
}

/// The gate as the command line uses it.
pub fn gate_options() -> GateOptions {
    GateOptions {
        kdf: KdfParams::RECOMMENDED,
        clock: std::sync::Arc::new(SystemClock),
        // A script must not wait on a desktop keyring prompt.
        keyring: KeyringChoice::Off,
    }
}

/// Unlocks `console` with the passphrase and code this invocation was given.
pub fn unlock(console: &Console, args: &UnlockArgs) -> anyhow::Result<()> {
    let passphrase = passphrase(args)?;
    let code = code(args)?;
    console.unlock(UnlockRequest {
        passphrase: Some(passphrase.expose_secret().to_owned()),
        code,
    })?;
    Ok(())
}

fn passphrase(args: &UnlockArgs) -> anyhow::Result<SecretString> {
    if let Some(fd) = args.passphrase_fd {
        let mut text = String::new();
        std::fs::File::open(format!("/dev/fd/{fd}"))
            .and_then(|mut f| f.read_to_string(&mut text))
            .with_context(|| format!("cannot read the passphrase from file descriptor {fd}"))?;
        let trimmed = text.trim_end_matches(['\r', '\n']).to_owned();
        text.clear();
        return Ok(SecretString::from(trimmed));
    }
    if !std::io::stdin().is_terminal() {
        bail!("the vault is locked: pass --passphrase-fd N (or run in a terminal to be asked)");
    }
    Ok(SecretString::from(
        rpassword::prompt_password("Passphrase: ").context("cannot read the passphrase")?,
    ))
}

fn code(args: &UnlockArgs) -> anyhow::Result<String> {
    if let Some(code) = &args.totp {
        return Ok(code.clone());
    }
    if !std::io::stdin().is_terminal() {
        bail!("the vault needs a code: pass --totp CODE (authenticator or recovery code)");
    }
    rpassword::prompt_password("Authenticator or recovery code: ").context("cannot read the code")
}
