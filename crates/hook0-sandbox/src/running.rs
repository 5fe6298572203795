//! Starting and stopping a sandbox.

use crate::clock::{Clock, from_datetime};
use crate::control::SandboxControl;
use crate::error::SandboxError;
use crate::expiry::Expiry;
use crate::generator::generate;
use crate::http::faults::FaultState;
use crate::http::problem::check_catalogue;
use crate::http::ratelimit::RateLimits;
use crate::ids;
use crate::options::{SandboxOptions, UserAccount};
use crate::sessions::Sessions;
use crate::state::Shared;
use crate::store::LiveSettings;
use parking_lot::{Mutex, RwLock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// A sandbox serving on loopback until [`RunningSandbox::shutdown`] (or drop).
#[derive(Debug)]
pub struct RunningSandbox {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    stop_server: Option<oneshot::Sender<()>>,
    stop_worker: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    worker: Option<JoinHandle<()>>,
}

fn validate(options: &SandboxOptions) -> Result<(), SandboxError> {
    let invalid = |m: &str| Err(SandboxError::InvalidOption(m.to_owned()));
    if !(options.time_scale.is_finite() && options.time_scale > 0.0) {
        return invalid("time_scale must be a positive number");
    }
    if !(0.0..=1.0).contains(&options.scenario.failure_rate) {
        return invalid("failure_rate must be between 0 and 1");
    }
    if options.scenario.applications > 1_000 || options.scenario.subscriptions > 1_000 {
        return invalid("at most 1000 applications and 1000 subscriptions per application");
    }
    if options.user.email.trim().is_empty() || options.user.password.is_empty() {
        return invalid("the user needs an email and a password");
    }
    if options.user.access_token_lifetime.is_zero() || options.user.refresh_token_lifetime.is_zero()
    {
        return invalid("token lifetimes must be positive");
    }
    if options
        .service_token
        .as_deref()
        .is_some_and(|t| t.is_empty() || Uuid::parse_str(t).is_ok())
    {
        return invalid("the service token must be non-empty and not a UUID");
    }
    Ok(())
}

/// Generates the scenario and starts serving on `bind`, which must be a loopback address.
pub async fn start(
    bind: SocketAddr,
    options: SandboxOptions,
) -> Result<RunningSandbox, SandboxError> {
    if !bind.ip().is_loopback() {
        return Err(SandboxError::NotLoopback(bind));
    }
    validate(&options)?;
    check_catalogue()?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| SandboxError::Bind { addr: bind, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { addr: bind, source })?;
    let mut public_url = match options.public_url.clone() {
        Some(url) => url,
        None => url::Url::parse(&format!("http://{local_addr}/"))
            .map_err(|e| SandboxError::InvalidOption(e.to_string()))?,
    };
    if !public_url.path().ends_with('/') {
        let path = format!("{}/", public_url.path());
        public_url.set_path(&path);
    }
    let clock = Clock::default();
    let history_end = options
        .history_end
        .map_or_else(|| clock.now(), from_datetime);
    let scenario = options.scenario.clone();
    let live = LiveSettings {
        time_scale: options.time_scale,
        max_retries: options.max_retries,
    };
    let store = tokio::task::spawn_blocking(move || generate(&scenario, history_end, live))
        .await
        .map_err(|e| SandboxError::Generation(e.to_string()))?;
    let seed = options.scenario.seed;
    let shared = Arc::new(Shared {
        store: RwLock::new(store),
        clock,
        public_url,
        service_token: options
            .service_token
            .clone()
            .unwrap_or_else(|| ids::biscuit_token(seed, 0)),
        faults: Mutex::new(FaultState::new(options.faults.clone(), seed)),
        limits: RateLimits::new(options.rate_limit),
        wake: Notify::new(),
        paused: AtomicBool::new(options.worker_paused),
        expiry: Mutex::new(Expiry::default()),
        sessions: Mutex::new(Sessions::new(
            seed,
            options.user.access_token_lifetime,
            options.user.refresh_token_lifetime,
        )),
        user: options.user.clone(),
        replays: Mutex::new(std::collections::HashMap::new()),
    });
    let app = crate::http::router(shared.clone());
    let (stop_server, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = result {
            tracing::error!(%error, "sandbox server stopped");
        }
    });
    let (stop_worker, worker_stop) = watch::channel(false);
    let worker = tokio::spawn(crate::worker::run(shared.clone(), worker_stop));
    tracing::info!(%local_addr, "hook0 sandbox listening");
    Ok(RunningSandbox {
        shared,
        local_addr,
        stop_server: Some(stop_server),
        stop_worker,
        server: Some(server),
        worker: Some(worker),
    })
}

impl RunningSandbox {
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://127.0.0.1:PORT/api/v1/` (always the bound address, with a trailing slash).
    pub fn api_base_url(&self) -> url::Url {
        let raw = format!("http://{}/api/v1/", self.local_addr);
        url::Url::parse(&raw).unwrap_or_else(|_| self.shared.public_url.clone())
    }

    /// The base of `Link` headers (the configured public URL).
    pub fn public_url(&self) -> url::Url {
        self.shared.public_url.clone()
    }

    /// The organization-wide token.
    pub fn service_token(&self) -> &str {
        &self.shared.service_token
    }

    /// The user who can sign in with email and password.
    pub fn user(&self) -> &UserAccount {
        &self.shared.user
    }

    pub fn organization_id(&self) -> Uuid {
        self.shared.store.read().organization.id
    }

    pub fn organization_name(&self) -> String {
        self.shared.store.read().organization.name.clone()
    }

    /// `(id, name)` of every application, in creation order.
    pub fn applications(&self) -> Vec<(Uuid, String)> {
        self.shared
            .store
            .read()
            .applications
            .iter()
            .map(|a| (a.id, a.name.clone()))
            .collect()
    }

    /// The application secret (a UUID string) usable as a bearer on that application only.
    pub fn application_secret(&self, application_id: Uuid) -> Option<String> {
        let store = self.shared.store.read();
        store
            .application_index(application_id)
            .and_then(|a| store.applications.get(a as usize))
            .map(|a| a.secret.to_string())
    }

    pub fn attempt_count(&self) -> usize {
        self.shared.store.read().attempts.len()
    }

    /// A failure spike now for one subscription (see [`SandboxControl::seed_failure_spike`]).
    pub fn seed_failure_spike(
        &self,
        subscription_id: Uuid,
        failures: u32,
        within: std::time::Duration,
    ) -> Result<Vec<Uuid>, SandboxError> {
        self.control()
            .seed_failure_spike(subscription_id, failures, within)
    }

    pub fn control(&self) -> SandboxControl {
        SandboxControl {
            shared: self.shared.clone(),
        }
    }

    /// Stops serving (in-flight requests finish) and stops the worker.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop_server.take() {
            let _ = stop.send(());
        }
        let _ = self.stop_worker.send(true);
        self.shared.wake.notify_one();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(worker) = self.worker.take() {
            let _ = worker.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop_server.take() {
            let _ = stop.send(());
        }
        let _ = self.stop_worker.send(true);
        if let Some(worker) = self.worker.take() {
            worker.abort();
        }
    }
}
