//! Load benchmark: starts the real server (use a release build) on loopback with a fresh SQLite
//! database and the demo data, then drives each endpoint with N concurrent connections for a
//! fixed time and reports req/s, p50 and p99 next to `/healthz` measured in the same run; then
//! the two reads again while reports are submitted in the background, which discards kept answers.
//!
//!
//! Last, the attack story: members submit and the committee approves what they submit, first on a
//! quiet server, then while 2,000 junk sign-ins and 20,000 junk refresh tokens, spread evenly over
//! the run (2,200 a second at `--seconds 10`), arrive from as many different client addresses (through a trusted proxy's `X-Forwarded-For`, as a botnet would look
//! behind one); it prints the members' and the committee's p99 of both runs side by side.
//!
//! `cargo run --release -p jifen-tests --bin loadtest -- [--seconds 10] [--connections 64] [--database-url URL]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use jifen_server::infra::config::{Config, Secret};
use jifen_server::seed;
use jifen_server::startup::Application;
use jifen_shared::api::{CreateRuleRequest, DeedView, RuleView};
use jifen_shared::domain::RuleCategory;
use jifen_tests::load::{self, percentile, Beside};
use reqwest::{Client, RequestBuilder, StatusCode};

/// The write rate of the mixed phases.
const WRITES_PER_SECOND: u32 = 20;

struct Args {
    seconds: u64,
    connections: usize,
    database_url: Option<String>,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        seconds: 10,
        connections: 64,
        database_url: None,
    };
    load::flags(|flag, value| {
        match flag {
            "--seconds" => a.seconds = value()?.parse()?,
            "--connections" => a.connections = value()?.parse()?,
            "--database-url" => a.database_url = Some(value()?),
            other => anyhow::bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    Ok(a)
}

#[derive(Clone, Copy)]
enum Load {
    Health,
    Points,
    ReviewQueue,
    Submit,
    /// The town's statistics (both demo branches, every figure), as its organisation member.
    TownStats,
    /// The town's ledger for the year as a CSV file, streamed.
    TownLedgerCsv,
}

impl Load {
    fn label(self) -> &'static str {
        match self {
            Load::Health => "GET /healthz",
            Load::Points => "GET /api/v1/members/{id}/points",
            Load::ReviewQueue => "GET /api/v1/deeds?scope=review",
            Load::Submit => "POST /api/v1/deeds",
            Load::TownStats => "GET /api/v1/orgs/{town}/stats",
            Load::TownLedgerCsv => "GET /api/v1/orgs/{town}/ledger?format=csv",
        }
    }
}

struct Fixture {
    base: String,
    member_tokens: Vec<(String, String)>,
    committee_token: String,
    /// The organisation member over the town (admin1), and the town.
    admin_token: String,
    town_id: String,
    rule_id: String,
    /// A rule without caps, so that every approval in the attack story writes a ledger entry.
    uncapped_rule_id: String,
}

impl load::Requests for Fixture {
    type Load = Load;

    fn request(&self, load: Load, client: &Client, n: u64, worker: usize) -> RequestBuilder {
        let (member_id, member_token) = &self.member_tokens[worker % self.member_tokens.len()];
        match load {
            Load::Health => client.get(format!("{}/healthz", self.base)),
            Load::Points => client
                .get(format!("{}/api/v1/members/{member_id}/points", self.base))
                .bearer_auth(member_token),
            Load::ReviewQueue => client
                .get(format!("{}/api/v1/deeds?scope=review", self.base))
                .bearer_auth(&self.committee_token),
            Load::Submit => submission(client, self, member_token, format!("load-{worker}-{n}")),
            Load::TownStats => client
                .get(format!("{}/api/v1/orgs/{}/stats", self.base, self.town_id))
                .bearer_auth(&self.admin_token),
            Load::TownLedgerCsv => client
                .get(format!(
                    "{}/api/v1/orgs/{}/ledger?format=csv",
                    self.base, self.town_id
                ))
                .bearer_auth(&self.admin_token),
        }
    }
}

/// A report under the snow rule by the member whose `token` it is.
fn submission(client: &Client, fx: &Fixture, token: &str, id: String) -> RequestBuilder {
    load::snow_report(client, &fx.base, token, fx.rule_id.clone(), id)
}

/// Submits `per_second` reports a second until `stop`: the writes a busy branch makes while its
/// members and committee read. Every commit discards the kept answers of the reads.
async fn background_writes(
    client: Client,
    fx: Arc<Fixture>,
    per_second: u32,
    stop: tokio::sync::watch::Receiver<bool>,
) -> u64 {
    load::paced(per_second, stop, |sent| {
        let (_, token) = &fx.member_tokens[sent as usize % fx.member_tokens.len()];
        submission(&client, &fx, token, format!("background-{sent}"))
    })
    .await
}

/// Latencies of one kind of real user's requests in the attack story.
#[derive(Default)]
struct Served {
    latencies: Vec<Duration>,
    errors: u64,
}

impl Served {
    fn record(&mut self, t: Instant, ok: bool) {
        self.latencies.push(t.elapsed());
        self.errors += u64::from(!ok);
    }

    fn merge(&mut self, other: Served) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
    }

    fn pct(&mut self, p: f64) -> Duration {
        self.latencies.sort();
        percentile(&self.latencies, p)
    }
}

/// What the attackers were answered, by status.
#[derive(Default)]
struct Repelled {
    sent: u64,
    /// From the first junk request to the last answer.
    took: Duration,
    by_status: std::collections::BTreeMap<u16, u64>,
    failed: u64,
}

/// Members submit reports (half the connections) while the committee approves each one as it
/// arrives (the other half), for `seconds`; with `attack`, junk sign-ins and refresh tokens from
/// thousands of addresses arrive at the same time.
async fn story(
    fx: Arc<Fixture>,
    client: reqwest::Client,
    connections: usize,
    seconds: u64,
    attack: bool,
    round: &str,
) -> (Served, Served, Repelled) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (to_review, reviews) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reviews = Arc::new(tokio::sync::Mutex::new(reviews));
    let mut members = Vec::new();
    for worker in 0..connections.div_ceil(2) {
        let (fx, client, to_review) = (fx.clone(), client.clone(), to_review.clone());
        let round = round.to_owned();
        members.push(tokio::spawn(async move {
            let mut served = Served::default();
            let (_, token) = fx.member_tokens[worker % fx.member_tokens.len()].clone();
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let req = load::snow_report(
                    &client,
                    &fx.base,
                    &token,
                    fx.uncapped_rule_id.clone(),
                    format!("{round}-{worker}-{n}"),
                );
                let t = Instant::now();
                let deed = match req.send().await {
                    Ok(res) if res.status().is_success() => res.json::<DeedView>().await.ok(),
                    _ => None,
                };
                served.record(t, deed.is_some());
                if let Some(deed) = deed {
                    let _ = to_review.send(deed.id);
                }
            }
            served
        }));
    }
    drop(to_review);
    let mut committee = Vec::new();
    for _ in 0..connections / 2 {
        let (fx, client, reviews) = (fx.clone(), client.clone(), reviews.clone());
        committee.push(tokio::spawn(async move {
            let mut served = Served::default();
            loop {
                let next = reviews.lock().await.recv().await;
                let Some(id) = next else { break };
                let t = Instant::now();
                let ok = client
                    .post(format!("{}/api/v1/deeds/{id}/approve", fx.base))
                    .bearer_auth(&fx.committee_token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                served.record(t, ok);
            }
            served
        }));
    }
    // The attackers run on a thread and runtime of their own, so the members' latencies are not
    // measured through the attackers' task queue; they share only the machine's cores.
    let attackers = attack.then(|| {
        let base = fx.base.clone();
        std::thread::spawn(move || attack_for(base, seconds))
    });
    let mut submitted = Served::default();
    for m in members {
        submitted.merge(m.await.unwrap_or_default());
    }
    let mut approved = Served::default();
    for c in committee {
        approved.merge(c.await.unwrap_or_default());
    }
    let repelled = attackers.and_then(|a| a.join().ok()).unwrap_or_default();
    (submitted, approved, repelled)
}

/// Junk spread evenly over `seconds`: 2,000 sign-ins with guessed passwords and 20,000 random
/// refresh tokens, each from an address of its own, from 64 connections.
fn attack_for(base: String, seconds: u64) -> Repelled {
    const JUNK: u64 = 22_000;
    const CONNECTIONS: u64 = 64;
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return Repelled::default();
    };
    rt.block_on(async move {
        let Ok(attacker) = reqwest::Client::builder()
            .pool_max_idle_per_host(CONNECTIONS as usize)
            .build()
        else {
            return Repelled::default();
        };
        let started = Instant::now();
        let every = Duration::from_secs(seconds) * CONNECTIONS as u32 / JUNK as u32;
        let workers = (0..CONNECTIONS).map(|worker| {
            let (attacker, base) = (attacker.clone(), base.clone());
            tokio::spawn(async move {
                let mut repelled = Repelled::default();
                let mut tick = tokio::time::interval(every);
                for n in (worker..JUNK).step_by(CONNECTIONS as usize) {
                    tick.tick().await;
                    // One address per request: no per-address limit alone can stop this.
                    let from = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                    let req = if n % 11 == 0 {
                        attacker.post(format!("{base}/api/v1/auth/login")).json(
                            &serde_json::json!({
                                "username": format!("member{}", n % 40),
                                "password": format!("guess-{worker}-{n}"),
                            }),
                        )
                    } else {
                        attacker.post(format!("{base}/api/v1/auth/refresh")).json(
                            &serde_json::json!({
                                // As long and as random as a real one: a lookup each.
                                "refresh_token": format!(
                                    "{}{}",
                                    uuid::Uuid::new_v4().simple(),
                                    uuid::Uuid::new_v4().simple()
                                ),
                            }),
                        )
                    };
                    repelled.sent += 1;
                    match req.header("x-forwarded-for", from).send().await {
                        Ok(res) => {
                            *repelled.by_status.entry(res.status().as_u16()).or_default() += 1;
                            let _ = res.bytes().await;
                        }
                        Err(_) => repelled.failed += 1,
                    }
                }
                repelled
            })
        });
        let mut all = Repelled::default();
        for w in workers.collect::<Vec<_>>() {
            let r = w.await.unwrap_or_default();
            all.sent += r.sent;
            all.failed += r.failed;
            for (status, n) in r.by_status {
                *all.by_status.entry(status).or_default() += n;
            }
        }
        all.took = started.elapsed();
        all
    })
}

async fn login(client: &Client, base: &str, username: &str) -> anyhow::Result<String> {
    // Each person signs in from a phone of their own (a client address of their own behind the
    // proxy), as the per-address sign-in limit expects.
    let phone = format!(
        "192.0.2.{}",
        username.bytes().map(u32::from).sum::<u32>() % 250 + 1
    );
    // Past the server's hashing budget: wait as told, like any client.
    let busy = [StatusCode::SERVICE_UNAVAILABLE];
    let pause = Duration::from_secs(1);
    load::sign_in(
        client,
        base,
        username,
        "load-test-password",
        &phone,
        &busy,
        pause,
    )
    .await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let dir = std::env::temp_dir().join(format!("jifen-load-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("load.db").display()));
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        database_url: database_url.clone(),
        jwt_secret: Some(Secret::new("load-test-secret-load-test-secret-0123")),
        secret_file: dir.join("jifen.secret"),
        audit_key_file: dir.join("jifen-audit.key"),
        photo_dir: dir.join("photos"),
        ..Config::default()
    };
    // The attack story's junk comes through a proxy on loopback that names thousands of clients.
    config.limits.client_ip_header = Some("x-forwarded-for".into());
    let app = Application::build(config).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    let demo = seed::organisation(&state.db, state.now(), "load-test-password").await?;
    let deeds = seed::deeds(&state.db, state.now(), &demo).await?;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let mut member_tokens = Vec::new();
    for i in 1..=12 {
        let username = format!("member{i}");
        member_tokens.push((
            demo.member(&username).to_owned(),
            login(&client, &base, &username).await?,
        ));
    }
    let committee_token = login(&client, &base, "committee1").await?;
    let uncapped_rule_id = client
        .post(format!(
            "{base}/api/v1/branches/{}/rules",
            demo.branch("demo-1")
        ))
        .bearer_auth(login(&client, &base, "secretary1").await?)
        .json(&CreateRuleRequest {
            category: RuleCategory::Bonus,
            name: "负载测试：义务劳动".into(),
            description: String::new(),
            standard_points: 1,
            cap_per_quarter: None,
            cap_per_year: None,
            evidence_required: false,
        })
        .send()
        .await?
        .error_for_status()?
        .json::<RuleView>()
        .await?
        .id;
    let admin_token = login(&client, &base, "admin1").await?;
    let fx = Arc::new(Fixture {
        committee_token,
        admin_token,
        town_id: demo.town_id.clone(),
        member_tokens,
        rule_id: demo.rule("demo-1", seed::SNOW).to_owned(),
        uncapped_rule_id,
        base,
    });

    println!(
        "Jifen load test: {} concurrent connections, {} s per endpoint, {} (demo data: {} deeds), {} cores",
        args.connections,
        args.seconds,
        if database_url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" },
        deeds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!("| endpoint | req/s | vs /healthz | p50 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    load::warm_up(Load::Health, fx.clone(), client.clone(), args.connections).await;
    let mut health_rate = None;
    let phases = [
        (Load::Health, 0),
        (Load::Points, 0),
        (Load::ReviewQueue, 0),
        (Load::Submit, 0),
        (Load::TownStats, 0),
        (Load::TownLedgerCsv, 0),
        (Load::Points, WRITES_PER_SECOND),
        (Load::ReviewQueue, WRITES_PER_SECOND),
    ];
    for (load, writes) in phases {
        let writer = (writes > 0).then(|| {
            Beside::start(|stop| background_writes(client.clone(), fx.clone(), writes, stop))
        });
        let o = load::run(
            load,
            fx.clone(),
            client.clone(),
            args.connections,
            args.seconds,
        )
        .await;
        let label = match writer {
            Some(w) => format!(
                "{}, while {writes} reports/s are submitted ({} written)",
                load.label(),
                w.stop().await
            ),
            None => load.label().to_owned(),
        };
        println!(
            "| {label} | {} |",
            o.cells(*health_rate.get_or_insert(o.rate()))
        );
    }

    println!();
    println!(
        "Attack story: {} connections of members submitting and the committee approving, {} s each run",
        args.connections.min(16),
        args.seconds
    );
    println!("| run | submits | submit p50 ms | submit p99 ms | approvals | approve p99 ms | errors | junk sent (in s) | junk answered |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut quiet_p99 = Duration::ZERO;
    for (round, attack) in [("quiet", false), ("attack", true)] {
        let (mut submitted, mut approved, repelled) = story(
            fx.clone(),
            client.clone(),
            args.connections.min(16),
            args.seconds,
            attack,
            round,
        )
        .await;
        let submit_p99 = submitted.pct(0.99);
        if !attack {
            quiet_p99 = submit_p99;
        }
        let answered = repelled
            .by_status
            .iter()
            .map(|(s, n)| format!("{n}× {s}"))
            .chain((repelled.failed > 0).then(|| format!("{} no answer", repelled.failed)))
            .collect::<Vec<_>>()
            .join(", ");
        println!(
            "| {round} | {} | {:.2} | {:.2} | {} | {:.2} | {} | {} ({:.1}) | {} |",
            submitted.latencies.len(),
            submitted.pct(0.50).as_secs_f64() * 1000.0,
            submit_p99.as_secs_f64() * 1000.0,
            approved.latencies.len(),
            approved.pct(0.99).as_secs_f64() * 1000.0,
            submitted.errors + approved.errors,
            repelled.sent,
            repelled.took.as_secs_f64(),
            if answered.is_empty() {
                "—".into()
            } else {
                answered
            },
        );
        if attack && !quiet_p99.is_zero() {
            println!(
                "\nMembers' submit p99 under attack: {:.2}× the quiet run's (target: under 2×, no errors)",
                submit_p99.as_secs_f64() / quiet_p99.as_secs_f64()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
