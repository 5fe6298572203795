//! `incident evidence`: one piece of an incident's evidence with its stored snapshot, checked
//! against its SHA-256. A snapshot that no longer matches fails the command, so a script can
//! tell an intact record from an edited one.

use anyhow::bail;
use uuid::Uuid;

use super::Records;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident id.
    incident: Uuid,
    /// The evidence's number in the incident (as `incident show` lists it).
    evidence: i64,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

pub fn run(records: &mut Records, args: Args) -> anyhow::Result<()> {
    let kept = records
        .store
        .evidence_snapshot(args.incident, args.evidence)?;
    if output::wants_json(args.json) {
        output::json_line(&kept)?;
    } else {
        let e = &kept.evidence;
        println!("#{} {} — {}", e.id, e.kind.as_str(), e.label);
        println!(
            "Seen {} by {}; {} rows{}",
            super::show::when(Some(e.captured_at)),
            e.added_by,
            e.rows,
            if e.truncated {
                " (first ones kept)"
            } else {
                ""
            }
        );
        println!("SHA-256 {}", e.sha256);
        println!("{}", kept.snapshot);
    }
    if !kept.intact {
        bail!(
            "evidence #{} no longer matches its SHA-256: the snapshot was changed after it was \
             attached",
            args.evidence
        );
    }
    Ok(())
}
