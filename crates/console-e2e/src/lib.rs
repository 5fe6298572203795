//! A harness that launches the real Hook0 Console binary under tauri-driver and drives its
//! window through WebDriver, the way an operator would: by visible labels, button text and
//! accessible names, never by CSS classes.
//!
//! Needs `HOOK0_CONSOLE_APP` (the built app) and `tauri-driver` on PATH or in `TAURI_DRIVER`;
//! `cargo xtask test` provides both and a virtual display.

pub mod notifications;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long to wait for the UI to reach an expected state.
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);

/// A running console window and what it needs.
#[derive(Debug)]
pub struct App {
    client: Client,
    driver: Child,
    data_dir: DataDir,
}

/// A fresh directory removed with the app, or one the caller prepared and keeps.
#[derive(Debug)]
enum DataDir {
    Fresh(tempfile::TempDir),
    Kept(PathBuf),
}

impl DataDir {
    fn path(&self) -> &std::path::Path {
        match self {
            Self::Fresh(dir) => dir.path(),
            Self::Kept(dir) => dir,
        }
    }
}

impl App {
    /// Starts tauri-driver and the app with a fresh, empty data directory.
    pub async fn launch() -> anyhow::Result<Self> {
        Self::launch_with_env(&[]).await
    }

    /// [`App::launch`] with more environment for the app (a session bus of the test's own…).
    pub async fn launch_with_env(env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let app = std::env::var_os("HOOK0_CONSOLE_APP")
            .map(PathBuf::from)
            .context("HOOK0_CONSOLE_APP must name the built app (cargo xtask test sets it)")?;
        Self::start(DataDir::Fresh(tempfile::tempdir()?), &app, env).await
    }

    /// Starts tauri-driver and `app_binary` on a data directory the caller prepared (an
    /// enrolled console, a filled cache, …). The directory is kept when the app closes.
    pub async fn launch_with(
        data_dir: &std::path::Path,
        app_binary: &std::path::Path,
    ) -> anyhow::Result<Self> {
        Self::start(DataDir::Kept(data_dir.to_owned()), app_binary, &[]).await
    }

    async fn start(
        data_dir: DataDir,
        app: &std::path::Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let app = app
            .canonicalize()
            .with_context(|| format!("no app binary at {}", app.display()))?;
        // The driver's (and so the app's) stderr goes to a file: an inherited pipe would stay
        // open in WebKit's helper processes after the test ends.
        let log = std::fs::File::create(data_dir.path().join("driver.log"))?;
        let port = free_port()?;
        let native_port = free_port()?;
        let driver_bin = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
        let driver = Command::new(&driver_bin)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // The app inherits this environment through the driver.
            .env("HOOK0_CONSOLE_DATA_DIR", data_dir.path())
            .env("HOOK0_CONSOLE_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("cannot start {}", driver_bin.to_string_lossy()))?;
        let mut guard = DriverGuard(Some(driver));
        wait_for_port(port, Duration::from_secs(15)).map_err(|e| with_log(e, data_dir.path()))?;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        let client = ClientBuilder::rustls()?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("WebDriver session did not open")
            .map_err(|e| with_log(e, data_dir.path()))?;
        let driver = guard.0.take().context("driver vanished")?;
        Ok(Self {
            client,
            driver,
            data_dir,
        })
    }

    /// The app's data directory for this run.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// The process id of tauri-driver; the app runs below it (tauri-driver → WebKitWebDriver
    /// → app → WebKit's own processes).
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    /// The WebDriver client, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits for an element and returns it.
    pub async fn find(&self, locator: Locator<'_>) -> anyhow::Result<Element> {
        let shown = format!("{locator:?}");
        self.client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(locator)
            .await
            .with_context(|| format!("no element {shown} appeared"))
    }

    /// Clicks the button (or link) whose visible text is `text` (or whose label part is, as
    /// in "Lock now" beside its shortcut), once it is enabled.
    pub async fn click(&self, text: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//*[self::button or self::a][normalize-space(.)={q} or @aria-label={q} \
             or .//span[normalize-space(.)={q}]]",
            q = xpath_literal(text)
        );
        let element = self.find(Locator::XPath(&xpath)).await?;
        let deadline = Instant::now() + UI_TIMEOUT;
        while !element.is_enabled().await? {
            if Instant::now() > deadline {
                bail!("“{text}” stayed disabled");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        element
            .click()
            .await
            .with_context(|| format!("cannot click “{text}”"))
    }

    /// Ticks the checkbox whose label contains `text`.
    pub async fn check(&self, text: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//label[contains(normalize-space(.), {q})]//input[@type='checkbox']",
            q = xpath_literal(text)
        );
        let input = self.find(Locator::XPath(&xpath)).await?;
        if !input.is_selected().await? {
            input.click().await?;
        }
        Ok(())
    }

    /// Text of the element found by `xpath`, once it appears.
    pub async fn text_of(&self, xpath: &str) -> anyhow::Result<String> {
        Ok(self.find(Locator::XPath(xpath)).await?.text().await?)
    }

    /// First run: chooses the passphrase, enrolls the authenticator with a code computed from
    /// the secret the page shows (as a phone would), stores the recovery codes and finishes.
    /// Returns the secret and the time step its code used.
    pub async fn enroll(&self) -> anyhow::Result<Authenticator> {
        self.fill("Passphrase", PASSPHRASE).await?;
        self.fill("Confirm passphrase", PASSPHRASE).await?;
        self.click("Continue").await?;
        let secret = self
            .text_of("//*[@data-testid='totp-secret']")
            .await?
            .split_whitespace()
            .collect::<String>();
        let authenticator = Authenticator::new(secret)?;
        let code = authenticator.fresh_code(None).await?;
        self.fill("Code", &code.0).await?;
        self.click("Confirm").await?;
        self.check("I have stored these codes").await?;
        self.click("Finish").await?;
        // The shell is there once its lock button is.
        self.find(Locator::XPath(
            "//button[.//span[normalize-space(.)='Lock now']]",
        ))
        .await?;
        Ok(Authenticator {
            last_step: Some(code.1),
            ..authenticator
        })
    }
    /// Types into the input labelled `label`, replacing what it held.
    pub async fn fill(&self, label: &str, value: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//input[@id=//label[normalize-space(.)={q}]/@for or @aria-label={q}] \
             | //label[normalize-space(.)={q}]//input",
            q = xpath_literal(label)
        );
        let input = self.find(Locator::XPath(&xpath)).await?;
        input.clear().await?;
        input
            .send_keys(value)
            .await
            .with_context(|| format!("cannot type into “{label}”"))
    }

    /// Waits until the element found by `xpath` contains every one of `needles`, and returns
    /// its text.
    pub async fn wait_for_text(&self, xpath: &str, needles: &[&str]) -> anyhow::Result<String> {
        let deadline = Instant::now() + UI_TIMEOUT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(element) = self.client.find(Locator::XPath(xpath)).await
                && let Ok(text) = element.text().await
            {
                if needles.iter().all(|n| text.contains(n)) {
                    return Ok(text);
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        bail!("{xpath} never showed {needles:?}; last text: {last:?}")
    }

    /// Saves a PNG of the window under the screenshot folder, after the last DOM change has
    /// been painted (a screenshot taken at once can show the previous frame).
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        let dir = std::env::var_os("HOOK0_E2E_SCREENSHOTS")
            .map_or_else(|| PathBuf::from("target/e2e-screenshots"), PathBuf::from);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Closes the session, then stops the driver politely so it also stops WebKitWebDriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let closed = self.client.clone().close().await;
        terminate(&mut self.driver);
        closed.context("closing the WebDriver session")
    }
}

/// Adds the driver's log to a start-up failure, where the real cause usually is.
fn with_log(error: anyhow::Error, data_dir: &std::path::Path) -> anyhow::Error {
    let log = std::fs::read_to_string(data_dir.join("driver.log")).unwrap_or_default();
    error.context(format!("tauri-driver log:\n{log}"))
}

/// Quotes text for XPath 1.0, which has no escape character.
pub fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            terminate(child);
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        terminate(&mut self.driver);
    }
}

/// SIGTERM, not SIGKILL: tauri-driver forwards it to WebKitWebDriver and the app.
fn terminate(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    #[cfg(unix)]
    {
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("tauri-driver did not listen on port {port} within {limit:?}")
}

/// The passphrase the end-to-end tests enroll with.
pub const PASSPHRASE: &str = "end to end passphrase, long enough to pass";

/// An authenticator app: computes codes from the enrolled secret and remembers the last step
/// it gave a code for (the console accepts each step once).
#[derive(Debug, Clone)]
pub struct Authenticator {
    totp: totp_rs::TOTP,
    last_step: Option<u64>,
}

impl Authenticator {
    /// From the base32 secret the enrollment page shows.
    pub fn new(secret: String) -> anyhow::Result<Self> {
        let bytes = totp_rs::Secret::Encoded(secret)
            .to_bytes()
            .map_err(|e| anyhow::anyhow!("the page's secret is not base32: {e:?}"))?;
        Ok(Self {
            totp: totp_rs::TOTP::new_unchecked(
                totp_rs::Algorithm::SHA1,
                6,
                1,
                30,
                bytes,
                None,
                String::new(),
            ),
            last_step: None,
        })
    }

    /// A code of a step later than `after` (waiting for it if needed), with its step.
    pub async fn fresh_code(&self, after: Option<u64>) -> anyhow::Result<(String, u64)> {
        loop {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let step = now / 30;
            if after.is_none_or(|used| step > used) {
                return Ok((self.totp.generate(now), step));
            }
            let next = (step + 1) * 30;
            tokio::time::sleep(Duration::from_secs(next - now) + Duration::from_millis(300)).await;
        }
    }

    /// Remembers that the console already accepted a code of `step` (an enrollment made
    /// outside the window, for instance).
    pub fn mark_used(&mut self, step: u64) {
        self.last_step = Some(self.last_step.map_or(step, |used| used.max(step)));
    }

    /// The next code the console has not seen yet; remembers its step as used.
    pub async fn next_code(&mut self) -> anyhow::Result<String> {
        let (code, step) = self.fresh_code(self.last_step).await?;
        self.last_step = Some(step);
        Ok(code)
    }
}
