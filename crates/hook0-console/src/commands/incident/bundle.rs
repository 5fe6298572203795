//! `incident verify-bundle FILE`: checks a sealed incident bundle without any profile, vault
//! or network — what a receiver of the bundle runs. Exits non-zero when it does not verify,
//! naming the member or record that changed.
//!
//! Without the console's audit key this proves the bundle is as written unless someone also
//! rewrote its checksums; the audit records' MACs are checked by the console that wrote them.

use std::path::PathBuf;

use console_core::incident::bundle::{BundleError, BundleVerdict, verify_bundle};
use serde::Serialize;

use crate::output;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle file (`incident-<id>-<time>.zip` from the console's exports).
    file: PathBuf,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

/// What `--json` prints: the verdict, or the failure with its kind and member.
#[derive(Serialize)]
struct Outcome<'a> {
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<&'a BundleVerdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Failure<'a>>,
}

#[derive(Serialize)]
struct Failure<'a> {
    kind: &'static str,
    member: Option<&'a str>,
    message: String,
}

pub fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    let json = output::wants_json(args.json);
    match verify_bundle(&args.file) {
        Ok(verdict) => {
            if json {
                return output::json_line(&Outcome {
                    verified: true,
                    bundle: Some(&verdict),
                    error: None,
                });
            }
            print_verdict(&verdict);
            Ok(())
        }
        Err(error) => {
            if json {
                output::json_line(&Outcome {
                    verified: false,
                    bundle: None,
                    error: Some(failure(&error)),
                })?;
            }
            anyhow::bail!("{} does not verify: {error}", args.file.display())
        }
    }
}

fn failure(error: &BundleError) -> Failure<'_> {
    Failure {
        kind: error.kind(),
        member: error.member(),
        message: error.to_string(),
    }
}

fn print_verdict(v: &BundleVerdict) {
    println!("Verified: incident {}", v.incident_id);
    println!(
        "Exported {} by Hook0 Console {}",
        v.exported_at.to_rfc3339(),
        v.console_version
    );
    match (v.audit_head_seq, &v.audit_head_mac) {
        (Some(seq), Some(mac)) => println!("Audit head at export: record {seq}, MAC {mac}"),
        _ => println!("Audit head at export: none (empty log)"),
    }
    println!(
        "{} audit record(s) hash-checked and linked (MACs need the console's audit key); \
         {} evidence item(s)",
        v.audit_records, v.evidence_items
    );
    for f in &v.files {
        println!("  {:<14} {:>9} B  sha256 {}", f.name, f.bytes, f.sha256);
    }
    println!("  manifest.json  sha256 (canonical) {}", v.manifest_sha256);
}
