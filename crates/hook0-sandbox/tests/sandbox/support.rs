//! A started sandbox plus a small HTTP client, and access to the captured samples.

use anyhow::{Context, Result, anyhow};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::path::PathBuf;
use uuid::Uuid;

pub struct Sandbox {
    pub running: RunningSandbox,
    pub client: reqwest::Client,
    pub token: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "body is not JSON (status {}): {}",
                self.status,
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The URL in `Link: <…>; rel="next"`.
    pub fn next_link(&self) -> Option<String> {
        let link = self.header("link")?;
        let start = link.find('<')? + 1;
        let end = link.find('>')?;
        link.ends_with("; rel=\"next\"")
            .then(|| link[start..end].to_owned())
    }
}

/// Options for most tests: small scenario, no rate limits, worker paused.
pub fn quiet(scenario: ScenarioConfig) -> SandboxOptions {
    SandboxOptions {
        scenario,
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    }
}

impl Sandbox {
    pub async fn start(options: SandboxOptions) -> Result<Self> {
        let running = hook0_sandbox::start("127.0.0.1:0".parse()?, options).await?;
        let token = running.service_token().to_owned();
        Ok(Self {
            running,
            client: reqwest::Client::builder().build()?,
            token,
        })
    }

    pub async fn small() -> Result<Self> {
        Self::start(quiet(ScenarioConfig::default())).await
    }

    pub fn app(&self, n: usize) -> Result<Uuid> {
        self.running
            .applications()
            .get(n)
            .map(|a| a.0)
            .ok_or_else(|| anyhow!("no application {n}"))
    }

    /// `path` is relative to `/api/v1/` (e.g. `request_attempts?application_id=…`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.api_base_url(), path)
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply> {
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        Ok(Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.bytes().await?.to_vec(),
        })
    }

    pub async fn get(&self, path: &str) -> Result<Reply> {
        self.send(Method::GET, &self.url(path), Some(&self.token), None)
            .await
    }

    pub async fn get_json(&self, path: &str) -> Result<Value> {
        let reply = self.get(path).await?;
        anyhow::ensure!(
            reply.status == 200,
            "GET {path}: {} {}",
            reply.status,
            reply.text()
        );
        reply.json()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(Method::POST, &self.url(path), Some(&self.token), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Result<Reply> {
        self.send(Method::PUT, &self.url(path), Some(&self.token), Some(body))
            .await
    }

    /// Follows `Link` headers from `first` (rebuilt on our own base URL, as a client must),
    /// returning every page.
    pub async fn walk(&self, first: &str) -> Result<Vec<Vec<Value>>> {
        let mut pages = Vec::new();
        let mut path = first.to_owned();
        for _ in 0..100_000 {
            let reply = self.get(&path).await?;
            anyhow::ensure!(reply.status == 200, "walk {path}: {}", reply.status);
            let page = reply.json()?.as_array().cloned().unwrap_or_default();
            let link = reply.next_link();
            if page.is_empty() {
                anyhow::ensure!(link.is_none(), "an empty page must not carry a Link");
                return Ok(pages);
            }
            let link = link.ok_or_else(|| anyhow!("non-empty page without Link: {path}"))?;
            let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
            path = format!("request_attempts?{query}");
            pages.push(page);
        }
        Err(anyhow!("walk did not end"))
    }
}

pub fn reference(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("reference")
        .join(path)
}

/// A captured sample body (`samples/NAME.json`).
pub fn sample(name: &str) -> Result<Value> {
    let path = reference(&format!("samples/{name}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// The index entry of a sample (method, path, status, headers that matter).
pub fn sample_index(name: &str) -> Result<Value> {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(reference("samples/index.json"))?)?;
    index
        .get(name)
        .cloned()
        .ok_or_else(|| anyhow!("{name} not in index.json"))
}

pub fn str_of<'a>(value: &'a Value, key: &str) -> Result<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("no string {key} in {value}"))
}
