//! `hook0-console show`: one delivery in full, its missing content fetched at once, content
//! gone upstream said plainly and never asked for twice.

use std::path::Path;
use std::process::Output;

use uuid::Uuid;

use crate::support::{KEY_HEX, cache_file, console, still_sandbox};

fn run(command: &mut std::process::Command) -> anyhow::Result<Output> {
    let output = command.output()?;
    assert!(
        output.status.success(),
        "hook0-console failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

fn json(output: &Output) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// `(attempt, event, response)` of the first attempt matching `condition`.
fn attempt_where(path: &Path, condition: &str) -> anyhow::Result<(Uuid, Uuid, Uuid)> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{KEY_HEX}'\"; PRAGMA cipher_log_level = NONE;"
    ))?;
    let (a, e, r): (Vec<u8>, Vec<u8>, Vec<u8>) = conn.query_row(
        &format!(
            "SELECT a.uuid, e.uuid, a.response_uuid FROM attempt a JOIN event e ON e.id = a.event_id
             WHERE a.response_uuid IS NOT NULL AND {condition} ORDER BY a.id LIMIT 1"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((
        Uuid::from_slice(&a)?,
        Uuid::from_slice(&e)?,
        Uuid::from_slice(&r)?,
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn show_fetches_what_is_missing_and_says_what_expired_upstream() -> anyhow::Result<()> {
    let sandbox = still_sandbox(200).await?;
    let control = sandbox.control();
    let dir = tempfile::tempdir()?;
    let data = dir.path();
    run(console(
        &sandbox,
        data,
        &["sync", "--content", "none", "--rate", "0", "--json"],
    )
    .stdout(std::process::Stdio::null()))?;
    let cache = cache_file(data)?;

    // A successful delivery: nothing of it was downloaded by the sync.
    let (attempt, event, response) = attempt_where(&cache, "a.status = 3")?;
    let id = attempt.to_string();
    let offline = json(&run(&mut console(
        &sandbox,
        data,
        &["show", &id, "--offline", "--json"],
    ))?)?;
    assert_eq!(offline["payload_status"], "not_cached");
    assert_eq!(offline["response_status"], "not_cached");
    assert_eq!(offline["attempt"]["attempt_id"], id.as_str());
    assert_eq!(control.content_requests(event), 0, "--offline asks nothing");

    let shown = json(&run(&mut console(
        &sandbox,
        data,
        &["show", &id, "--json"],
    ))?)?;
    assert_eq!(shown["payload_status"], "cached", "{shown}");
    assert_eq!(shown["response_status"], "cached", "{shown}");
    assert!(shown["event"]["payload"]["data"].is_string());
    assert!(shown["response"]["http_code"].is_number());
    assert!(!shown["chain"].as_array().unwrap().is_empty());
    assert_eq!(control.content_requests(event), 1);
    assert_eq!(control.content_requests(response), 1);
    run(&mut console(&sandbox, data, &["show", &id, "--json"]))?;
    assert_eq!(
        control.content_requests(event) + control.content_requests(response),
        2,
        "cached content is shown from the cache"
    );

    // A failed delivery whose payload and response have expired upstream.
    let (attempt, event, response) = attempt_where(&cache, "a.status = 4")?;
    control.expire_content(event);
    control.expire_content(response);
    let id = attempt.to_string();
    let shown = json(&run(&mut console(
        &sandbox,
        data,
        &["show", &id, "--json"],
    ))?)?;
    assert_eq!(shown["payload_status"], "expired_upstream", "{shown}");
    assert_eq!(shown["response_status"], "expired_upstream", "{shown}");
    run(&mut console(&sandbox, data, &["show", &id, "--json"]))?;
    assert_eq!(
        (
            control.content_requests(event),
            control.content_requests(response)
        ),
        (1, 1),
        "content known to be gone is asked for once, ever"
    );

    let unknown = console(&sandbox, data, &["show", &Uuid::new_v4().to_string()]).output()?;
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not in the cache"));
    sandbox.shutdown().await;
    Ok(())
}
