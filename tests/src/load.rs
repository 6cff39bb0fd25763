//! What the two load benchmarks (`loadtest` on the demo data, `scalebench` on a generated
//! county) share: their command line, N connections asking for a fixed time, the latencies'
//! percentiles and the table row they make, reports submitted at a steady rate beside a phase,
//! and signing in from a phone of one's own.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jifen_shared::api::{PlaceDto, SubmitDeedRequest, TokenResponse};
use reqwest::{Client, RequestBuilder, StatusCode};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Reads the command line's flags: `set` is handed each flag and a way to take the value that
/// follows it.
pub fn flags(
    mut set: impl FnMut(&str, &mut dyn FnMut() -> anyhow::Result<String>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        set(&flag, &mut value)?;
    }
    Ok(())
}

/// A benchmark's people, and the requests they make in each kind of phase.
pub trait Requests: Send + Sync + 'static {
    /// The kinds of phase.
    type Load: Copy + Send + 'static;

    /// The `n`-th request of all in a phase of `load`, sent by connection `worker`.
    fn request(&self, load: Self::Load, client: &Client, n: u64, worker: usize) -> RequestBuilder;
}

/// What one phase measured.
pub struct Outcome {
    pub requests: usize,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
}

impl Outcome {
    /// Requests a second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The last cells of the phase's table row: req/s, the share of `/healthz`'s `health_rate`,
    /// p50 and p99 in milliseconds, errors.
    pub fn cells(&self, health_rate: f64) -> String {
        format!(
            "{:.0} | {:.0}% | {:.2} | {:.2} | {}",
            self.rate(),
            100.0 * self.rate() / health_rate,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.errors
        )
    }
}

/// A phase of `load`: `connections` workers send their requests one after another until
/// `seconds` have passed. A request counts as an error unless it is answered with a success;
/// every answer is read whole.
pub async fn run<R: Requests>(
    load: R::Load,
    fx: Arc<R>,
    client: Client,
    connections: usize,
    seconds: u64,
) -> Outcome {
    let counter = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let (fx, client, counter, errors) =
            (fx.clone(), client.clone(), counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(4096);
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let req = fx.request(load, &client, n, worker);
                let t = Instant::now();
                let ok = match req.send().await {
                    Ok(res) => {
                        let good = res.status().is_success();
                        let _ = res.bytes().await;
                        good
                    }
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let elapsed = started.elapsed();
    all.sort();
    Outcome {
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
        elapsed,
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
    }
}

/// Warms up the connection pool and the server's caches: a second of `load`.
pub async fn warm_up<R: Requests>(load: R::Load, fx: Arc<R>, client: Client, connections: usize) {
    run(load, fx, client, connections, 1).await;
}

/// The latency that the share `p` of the `sorted` latencies stay under (zero for none).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let n = sorted.len();
    sorted
        .get(((n as f64 * p) as usize).min(n.saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// Work that goes on beside a phase until the phase ends, such as reports submitted while
/// others read.
pub struct Beside {
    stop: watch::Sender<bool>,
    work: JoinHandle<u64>,
}

impl Beside {
    /// Starts `work`, which goes on until the receiver it is given says to stop and answers a
    /// count.
    pub fn start<W, F>(work: W) -> Self
    where
        W: FnOnce(watch::Receiver<bool>) -> F,
        F: Future<Output = u64> + Send + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        Self {
            stop,
            work: tokio::spawn(work(stopped)),
        }
    }

    /// Stops the work and answers its count (0 if it failed).
    pub async fn stop(self) -> u64 {
        let _ = self.stop.send(true);
        self.work.await.unwrap_or(0)
    }
}

/// Sends `per_second` requests a second, the `sent`-th built by `request(sent)`, until `stop`.
/// Answers how many were accepted.
pub async fn paced(
    per_second: u32,
    stop: watch::Receiver<bool>,
    mut request: impl FnMut(u64) -> RequestBuilder,
) -> u64 {
    let mut ticker = tokio::time::interval(Duration::from_secs(1) / per_second);
    let mut sent = 0u64;
    let mut pending = Vec::new();
    while !*stop.borrow() {
        ticker.tick().await;
        let req = request(sent);
        pending.push(tokio::spawn(async move {
            req.send().await.is_ok_and(|r| r.status().is_success())
        }));
        sent += 1;
    }
    let mut ok = 0;
    for p in pending {
        ok += u64::from(p.await.unwrap_or(false));
    }
    ok
}

/// Submits the report the benchmarks make (snow cleared at the village entrance an hour ago)
/// under `rule_id`, as the member whose `token` it is.
pub fn snow_report(
    client: &Client,
    base: &str,
    token: &str,
    rule_id: String,
    client_request_id: String,
) -> RequestBuilder {
    client
        .post(format!("{base}/api/v1/deeds"))
        .bearer_auth(token)
        .json(&SubmitDeedRequest {
            rule_id,
            title: "清扫村口积雪".into(),
            account: "和几位党员一起清扫村口到乡道约两百米的积雪。".into(),
            occurred_at: chrono::Utc::now() - chrono::Duration::hours(1),
            place: PlaceDto {
                name: "东关村村口".into(),
                lat: Some(34.748),
                lng: Some(113.63),
            },
            photo_ids: vec![],
            client_request_id,
            member_id: None,
        })
}

/// Signs in from `phone`, the person's own client address behind the proxy (as the per-address
/// sign-in limit expects), asking again after `pause` while the server answers one of `busy`,
/// like any client; answers the access token.
pub async fn sign_in(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
    phone: &str,
    busy: &[StatusCode],
    pause: Duration,
) -> anyhow::Result<String> {
    let res = loop {
        let res = client
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", phone)
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await?;
        if !busy.contains(&res.status()) {
            break res;
        }
        tokio::time::sleep(pause).await;
    };
    anyhow::ensure!(
        res.status().is_success(),
        "login as {username}: {}",
        res.status()
    );
    Ok(res.json::<TokenResponse>().await?.access_token)
}
