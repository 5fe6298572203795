//! Proportional memory (PSS) of a process and all its descendants, from the kernel's
//! `/proc/<pid>/smaps_rollup`: what a desktop app and its WebKit processes cost together,
//! shared pages counted once across them.

use std::collections::HashMap;
use std::path::Path;

/// One process of a tree.
#[derive(Debug, Clone)]
pub struct Member {
    pub pid: u32,
    pub name: String,
    pub pss_kib: u64,
}

/// `root` and its descendants (found through every process's parent id), with their PSS.
pub fn tree(root: u32) -> anyhow::Result<Vec<Member>> {
    let mut out = Vec::new();
    for pid in descendants_and_self(root)? {
        // A process may end between the listing and the reading.
        if let Some(pss_kib) = pss_kib(pid) {
            out.push(Member {
                pid,
                name: name(pid),
                pss_kib,
            });
        }
    }
    anyhow::ensure!(!out.is_empty(), "process {root} is gone");
    Ok(out)
}

/// Sum of a tree's PSS, in MiB.
pub fn total_mib(members: &[Member]) -> f64 {
    members.iter().map(|m| m.pss_kib as f64).sum::<f64>() / 1024.0
}

/// A line per process, for the person watching.
pub fn describe(members: &[Member]) -> String {
    members
        .iter()
        .map(|m| format!("{}({}) {:.1} MiB", m.name, m.pid, m.pss_kib as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `root` first, then its descendants breadth first.
pub fn descendants_and_self(root: u32) -> anyhow::Result<Vec<u32>> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc")? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut next = 0;
    while next < out.len() {
        if let Some(kids) = children.get(&out[next]) {
            for &kid in kids {
                if !out.contains(&kid) {
                    out.push(kid);
                }
            }
        }
        next += 1;
    }
    Ok(out)
}

/// The descendant of `root` (or `root`) running `binary`.
pub fn find_running(root: u32, binary: &Path) -> anyhow::Result<Option<u32>> {
    let binary = binary.canonicalize()?;
    Ok(descendants_and_self(root)?
        .into_iter()
        .find(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary)))
}

/// Whether a process still exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_owned())
        .unwrap_or_default()
}

fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let line = rollup.lines().find(|l| l.starts_with("Pss:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
