//! A desktop notification service of the test's own: a private D-Bus session bus (its own
//! `dbus-daemon`) on which this process owns `org.freedesktop.Notifications` and records every
//! notification it is asked to show. An app started with [`NotificationService::env`] talks to
//! it exactly as it would to a desktop's, so a test reads what the operator would have seen and
//! can click a notification (the `ActionInvoked` signal a desktop sends).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const BUS_NAME: &str = "org.freedesktop.Notifications";
const OBJECT_PATH: &str = "/org/freedesktop/Notifications";

/// One notification as the service received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Pairs of (action key, label), flattened as the protocol sends them.
    pub actions: Vec<String>,
}

#[derive(Debug, Default)]
struct Recorder {
    shown: Mutex<Vec<Shown>>,
}

impl Recorder {
    /// Keeps a notification and gives it its id (1, 2, …).
    fn push(&self, mut shown: Shown) -> u32 {
        let mut all = self.shown.lock().unwrap_or_else(PoisonError::into_inner);
        shown.id = u32::try_from(all.len() + 1).unwrap_or(u32::MAX);
        all.push(shown.clone());
        shown.id
    }

    fn all(&self) -> Vec<Shown> {
        self.shown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Server {
    recorder: Arc<Recorder>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        self.recorder.push(Shown {
            id: 0,
            app_name,
            summary,
            body,
            actions,
        })
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "console-e2e".into(),
            "hook0".into(),
            env!("CARGO_PKG_VERSION").into(),
            "1.2".into(),
        )
    }

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// The private bus and the service on it; both end when this is dropped.
pub struct NotificationService {
    bus: Child,
    address: String,
    connection: zbus::Connection,
    recorder: Arc<Recorder>,
}

impl std::fmt::Debug for NotificationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationService")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl NotificationService {
    /// Starts a session bus of its own and serves notifications on it.
    pub async fn start() -> anyhow::Result<Self> {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start dbus-daemon (package dbus-daemon; cargo xtask setup)")?;
        let address = match first_line(&mut bus) {
            Ok(address) => address,
            Err(error) => {
                let _ = bus.kill();
                let _ = bus.wait();
                return Err(error);
            }
        };
        let recorder = Arc::new(Recorder::default());
        let connection = zbus::connection::Builder::address(address.as_str())?
            .serve_at(
                OBJECT_PATH,
                Server {
                    recorder: recorder.clone(),
                },
            )?
            .name(BUS_NAME)?
            .build()
            .await
            .context("cannot serve notifications on the private bus")?;
        Ok(Self {
            bus,
            address,
            connection,
            recorder,
        })
    }

    /// The environment that points an app at this bus.
    pub fn env(&self) -> (&'static str, &str) {
        ("DBUS_SESSION_BUS_ADDRESS", &self.address)
    }

    /// Every notification shown so far, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        self.recorder.all()
    }

    /// Waits until a notification answers `wanted`, and returns it.
    pub async fn wait_for(
        &self,
        limit: Duration,
        wanted: impl Fn(&Shown) -> bool,
    ) -> anyhow::Result<Shown> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(found) = self.shown().into_iter().find(|s| wanted(s)) {
                return Ok(found);
            }
            if Instant::now() > deadline {
                bail!(
                    "no such notification within {limit:?}; shown: {:#?}",
                    self.shown()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks a notification's action, as the desktop does when the operator clicks it.
    pub async fn click(&self, id: u32, action_key: &str) -> anyhow::Result<()> {
        let emitter = SignalEmitter::new(&self.connection, OBJECT_PATH)?;
        Server::action_invoked(&emitter, id, action_key).await?;
        Ok(())
    }

    /// Stops serving: later notifications find no service, as on a desktop whose
    /// notification daemon is not running. The bus itself stays until this is dropped (GLib
    /// ends a process whose session bus goes away).
    pub async fn stop(&self) -> anyhow::Result<()> {
        self.connection.release_name(BUS_NAME).await?;
        Ok(())
    }

    fn end_bus(&mut self) {
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl Drop for NotificationService {
    fn drop(&mut self) {
        self.end_bus();
    }
}

/// The bus address `dbus-daemon --print-address` writes first.
fn first_line(bus: &mut Child) -> anyhow::Result<String> {
    let stdout = bus.stdout.take().context("dbus-daemon has no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .context("reading the bus address")?;
    let address = line.trim().to_owned();
    if address.is_empty() {
        bail!("dbus-daemon printed no address");
    }
    Ok(address)
}
