//! Province-scale benchmark (issue 15): serves a database filled by `jifen seed-scale` with one or
//! more instances of the real server (in this process, each on its own port, all on the same
//! database) and drives the hot endpoints as the people of one county would, each phase for a
//! fixed time with N concurrent connections, reporting req/s, p50 and p99 beside `/healthz`
//! measured in the same run. Requests go round-robin over the instances.
//!
//! Who asks: the county's administrator (given) finds the county's towns and branches through the
//! API; the first `--branches` branches give their committee members and members, who sign in
//! with the generator's password. Every request of a phase is made by one of them, spread over
//! those branches, so the read cache holds one answer per person, not one for all.
//!
//! The last phase reads (points and review queues, half each) while `--writes` reports a second
//! are submitted by members spread over the same branches: with invalidation per branch, a report
//! leaves the other branches' kept answers warm.
//!
//! ```text
//! cargo run --release -p jifen-tests --bin scalebench -- \
//!   --database-url postgres://postgres@127.0.0.1:5432/jifen_scale --admin <county admin> \
//!   --password <P> [--instances 2] [--seconds 10] [--connections 64] [--branches 100] [--writes 50]
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jifen_server::infra::config::{Config, Secret};
use jifen_server::startup::Application;
use jifen_shared::api::{DeedPage, OrgTree, RosterPage, RuleView, UnitRoles};
use jifen_shared::domain::{OrgKind, Role, RuleCategory};
use jifen_tests::load::{self, Beside};
use reqwest::{Client, RequestBuilder, StatusCode};

struct Args {
    database_url: String,
    admin: String,
    password: String,
    instances: usize,
    seconds: u64,
    connections: usize,
    branches: usize,
    writes: u32,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        database_url: String::new(),
        admin: String::new(),
        password: String::new(),
        instances: 2,
        seconds: 10,
        connections: 64,
        branches: 100,
        writes: 50,
    };
    load::flags(|flag, value| {
        match flag {
            "--database-url" => a.database_url = value()?,
            "--admin" => a.admin = value()?,
            "--password" => a.password = value()?,
            "--instances" => a.instances = value()?.parse()?,
            "--seconds" => a.seconds = value()?.parse()?,
            "--connections" => a.connections = value()?.parse()?,
            "--branches" => a.branches = value()?.parse()?,
            "--writes" => a.writes = value()?.parse()?,
            other => anyhow::bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    anyhow::ensure!(
        !a.database_url.is_empty() && !a.admin.is_empty() && !a.password.is_empty(),
        "--database-url, --admin and --password are required (see the file's header)"
    );
    anyhow::ensure!(a.instances >= 1 && a.branches >= 1 && a.connections >= 1);
    Ok(a)
}

/// A signed-in person.
#[derive(Clone)]
struct Person {
    member_id: String,
    token: String,
}

/// One branch as the benchmark uses it.
struct Branch {
    code: String,
    rule_id: Option<String>,
    committee: Vec<Person>,
    members: Vec<Person>,
}

struct Fixture {
    bases: Vec<String>,
    next_base: AtomicUsize,
    admin_token: String,
    towns: Vec<String>,
    county: String,
    branches: Vec<Branch>,
    /// A second page of some committee member's queue: (token, cursor).
    next_pages: Vec<(String, String)>,
}

impl Fixture {
    fn base(&self) -> &str {
        let i = self.next_base.fetch_add(1, Ordering::Relaxed);
        &self.bases[i % self.bases.len()]
    }

    fn members(&self) -> impl Iterator<Item = (&Branch, &Person)> {
        self.branches
            .iter()
            .flat_map(|b| b.members.iter().map(move |m| (b, m)))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Load {
    Health,
    QueueFirst,
    QueueNext,
    Points,
    Board,
    TownStats,
    CountyStats,
    Submit,
    /// Points and review queues, half each.
    Reads,
}

impl Load {
    fn label(self) -> &'static str {
        match self {
            Load::Health => "GET /healthz",
            Load::QueueFirst => "review queue, first page",
            Load::QueueNext => "review queue, next page",
            Load::Points => "a member's points",
            Load::Board => "public board",
            Load::TownStats => "a town's statistics",
            Load::CountyStats => "the county's statistics",
            Load::Submit => "submit a report",
            Load::Reads => "points and review queues",
        }
    }

    /// The issue's budget for this endpoint, as text.
    fn budget(self) -> &'static str {
        match self {
            Load::QueueFirst | Load::QueueNext => "p99 < 30 ms",
            Load::Points => "p99 < 10 ms",
            Load::Board => "< 50 ms",
            Load::TownStats => "< 300 ms",
            Load::CountyStats => "< 2 s",
            Load::Submit => "≥ 500/s",
            Load::Reads => "≥ 50% of /healthz",
            Load::Health => "",
        }
    }
}

impl load::Requests for Fixture {
    type Load = Load;

    fn request(&self, load: Load, client: &Client, n: u64, worker: usize) -> RequestBuilder {
        let base = self.base();
        let pick = |len: usize| (n as usize).wrapping_mul(7919).wrapping_add(worker) % len.max(1);
        // The mixed phase alternates between the two reads.
        let load = match load {
            Load::Reads if n.is_multiple_of(2) => Load::QueueFirst,
            Load::Reads => Load::Points,
            other => other,
        };
        match load {
            Load::Health => client.get(format!("{base}/healthz")),
            Load::QueueFirst => {
                let committee: Vec<&Person> =
                    self.branches.iter().flat_map(|b| &b.committee).collect();
                let p = committee[pick(committee.len())];
                client
                    .get(format!("{base}/api/v1/deeds?scope=review&status=submitted"))
                    .bearer_auth(&p.token)
            }
            Load::QueueNext => {
                let (token, cursor) = &self.next_pages[pick(self.next_pages.len())];
                client
                    .get(format!(
                        "{base}/api/v1/deeds?scope=review&status=submitted&cursor={cursor}"
                    ))
                    .bearer_auth(token)
            }
            Load::Points | Load::Reads => {
                let members: Vec<&Person> = self.members().map(|(_, m)| m).collect();
                let p = members[pick(members.len())];
                client
                    .get(format!("{base}/api/v1/members/{}/points", p.member_id))
                    .bearer_auth(&p.token)
            }
            Load::Board => {
                let b = &self.branches[pick(self.branches.len())];
                client.get(format!("{base}/api/v1/public/branches/{}/board", b.code))
            }
            Load::TownStats => client
                .get(format!(
                    "{base}/api/v1/orgs/{}/stats",
                    self.towns[pick(self.towns.len())]
                ))
                .bearer_auth(&self.admin_token),
            Load::CountyStats => client
                .get(format!("{base}/api/v1/orgs/{}/stats", self.county))
                .bearer_auth(&self.admin_token),
            Load::Submit => {
                let submitters: Vec<(&Branch, &Person)> = self
                    .members()
                    .filter(|(b, _)| b.rule_id.is_some())
                    .collect();
                let (b, p) = submitters[pick(submitters.len())];
                submission(client, base, b, p, format!("scale-{worker}-{n}"))
            }
        }
    }
}

/// A report by `member` under the branch's rule.
fn submission(
    client: &Client,
    base: &str,
    branch: &Branch,
    member: &Person,
    client_request_id: String,
) -> RequestBuilder {
    let rule_id = branch.rule_id.clone().unwrap_or_default();
    load::snow_report(client, base, &member.token, rule_id, client_request_id)
}

/// Submits `per_second` reports a second, each by the next member of the next branch, until
/// `stop`. Answers how many were accepted.
async fn spread_writes(
    client: reqwest::Client,
    fx: Arc<Fixture>,
    per_second: u32,
    stop: tokio::sync::watch::Receiver<bool>,
) -> u64 {
    let submitters: Vec<(usize, usize)> = fx
        .branches
        .iter()
        .enumerate()
        .filter(|(_, b)| b.rule_id.is_some())
        .flat_map(|(bi, b)| (0..b.members.len()).map(move |mi| (bi, mi)))
        .collect();
    if submitters.is_empty() || per_second == 0 {
        return 0;
    }
    // Round-robin over branches first, so that consecutive reports land in different branches.
    let mut order = submitters.clone();
    order.sort_by_key(|(bi, mi)| (*mi, *bi));
    load::paced(per_second, stop, |sent| {
        let (bi, mi) = order[sent as usize % order.len()];
        let branch = &fx.branches[bi];
        submission(
            &client,
            fx.base(),
            branch,
            &branch.members[mi],
            format!("spread-{}-{sent}", uuid::Uuid::new_v4().simple()),
        )
    })
    .await
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    // Each person signs in from a phone of their own (a client address of their own behind the
    // proxy), as the per-address sign-in limit expects.
    let sum = username.bytes().map(u32::from).sum::<u32>();
    let phone = format!(
        "10.{}.{}.{}",
        sum % 250,
        (sum / 250) % 250,
        username.len() % 250 + 1
    );
    // Past the server's hashing budget or the address's limit: wait, like any client.
    let busy = [
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::TOO_MANY_REQUESTS,
    ];
    let pause = Duration::from_millis(500);
    load::sign_in(client, base, username, password, &phone, &busy, pause).await
}

async fn get<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: String,
    token: &str,
) -> anyhow::Result<T> {
    Ok(client
        .get(&url)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?
        .json()
        .await?)
}

/// Finds the county, its towns and the first `wanted` branches, and signs in their people.
async fn discover(
    client: &reqwest::Client,
    bases: Vec<String>,
    args: &Args,
) -> anyhow::Result<Fixture> {
    let base = bases[0].clone();
    let admin_token = login(client, &base, &args.admin, &args.password).await?;
    let tree: OrgTree = get(client, format!("{base}/api/v1/orgs"), &admin_token).await?;
    let county = tree
        .units
        .iter()
        .find(|u| u.kind == OrgKind::County && u.role == Role::OrgAdmin)
        .or_else(|| tree.units.iter().find(|u| u.kind == OrgKind::County))
        .ok_or_else(|| anyhow::anyhow!("{} administers no county", args.admin))?;
    let beneath = |parent: &str, kind: OrgKind| -> Vec<String> {
        tree.units
            .iter()
            .filter(|u| u.parent_id.as_deref() == Some(parent) && u.kind == kind)
            .map(|u| u.id.clone())
            .collect()
    };
    let towns = beneath(&county.id, OrgKind::Town);
    anyhow::ensure!(!towns.is_empty(), "the county has no towns");
    // Branches taken town by town in turn, so that they spread over the county.
    let per_town: Vec<Vec<String>> = towns.iter().map(|t| beneath(t, OrgKind::Branch)).collect();
    let mut branch_ids = Vec::new();
    for i in 0.. {
        let before = branch_ids.len();
        for t in &per_town {
            if let Some(b) = t.get(i) {
                if branch_ids.len() < args.branches {
                    branch_ids.push(b.clone());
                }
            }
        }
        if branch_ids.len() == before || branch_ids.len() >= args.branches {
            break;
        }
    }
    let mut branches = Vec::new();
    for id in &branch_ids {
        let unit = tree.units.iter().find(|u| &u.id == id).expect("listed");
        let roster: RosterPage = get(
            client,
            format!("{base}/api/v1/orgs/{id}/members?limit=100"),
            &admin_token,
        )
        .await?;
        let roles: UnitRoles = get(
            client,
            format!("{base}/api/v1/orgs/{id}/roles"),
            &admin_token,
        )
        .await?;
        let username = |member_id: &str| {
            roster
                .items
                .iter()
                .find(|m| m.id == member_id)
                .map(|m| m.username.clone())
        };
        let mut committee = Vec::new();
        for holder in roles.holders.iter().filter(|h| h.role.can_review()).take(2) {
            if let Some(u) = username(&holder.member_id) {
                committee.push(Person {
                    member_id: holder.member_id.clone(),
                    token: login(client, &base, &u, &args.password).await?,
                });
            }
        }
        let mut members = Vec::new();
        for m in roster
            .items
            .iter()
            .filter(|m| !committee.iter().any(|c| c.member_id == m.id))
            .take(3)
        {
            members.push(Person {
                member_id: m.id.clone(),
                token: login(client, &base, &m.username, &args.password).await?,
            });
        }
        let rules: Vec<RuleView> = match members.first() {
            Some(m) => {
                get(
                    client,
                    format!("{base}/api/v1/branches/{id}/rules"),
                    &m.token,
                )
                .await?
            }
            None => Vec::new(),
        };
        let rule_id = rules
            .iter()
            .filter(|r| r.active && r.category == RuleCategory::Bonus && !r.evidence_required)
            .min_by_key(|r| (r.cap_per_quarter.is_some(), r.cap_per_year.is_some()))
            .map(|r| r.id.clone());
        branches.push(Branch {
            code: unit.code.clone().unwrap_or_default(),
            rule_id,
            committee,
            members,
        });
    }
    let mut next_pages = Vec::new();
    for p in branches.iter().flat_map(|b| b.committee.first()) {
        let page: DeedPage = get(
            client,
            format!("{base}/api/v1/deeds?scope=review&status=submitted"),
            &p.token,
        )
        .await?;
        if let Some(cursor) = page.next_cursor {
            next_pages.push((p.token.clone(), cursor));
        }
    }
    anyhow::ensure!(
        branches.iter().any(|b| !b.committee.is_empty()),
        "no committee members found"
    );
    anyhow::ensure!(!next_pages.is_empty(), "no review queue has a second page");
    Ok(Fixture {
        bases,
        next_base: AtomicUsize::new(0),
        admin_token,
        towns,
        county: county.id.clone(),
        branches,
        next_pages,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let dir = std::env::temp_dir().join(format!("jifen-scale-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let mut bases = Vec::new();
    for _ in 0..args.instances {
        // The generator's audit key (JIFEN_AUDIT_KEY or ./jifen-audit.key, as `jifen` reads it),
        // so that the reports submitted here extend the chains it sealed.
        let mut config = Config {
            bind: "127.0.0.1:0".into(),
            database_url: args.database_url.clone(),
            jwt_secret: Some(Secret::new("scale-bench-secret-scale-bench-secret-0")),
            photo_dir: dir.join("photos"),
            ..Config::load()?
        };
        // People sign in through a proxy on loopback that names their phones.
        config.limits.client_ip_header = Some("x-forwarded-for".into());
        let app = Application::build(config).await?;
        bases.push(format!("http://127.0.0.1:{}", app.port()));
        tokio::spawn(app.run_until_stopped());
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let started = Instant::now();
    let fx = Arc::new(discover(&client, bases, &args).await?);
    let committee: usize = fx.branches.iter().map(|b| b.committee.len()).sum();
    let members: usize = fx.branches.iter().map(|b| b.members.len()).sum();
    println!(
        "Jifen scale benchmark: {} instance(s) on {}, {} concurrent connections, {} s per phase, {} cores",
        args.instances,
        if args.database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" },
        args.connections,
        args.seconds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!(
        "People: {} branches of {} towns, {committee} committee members, {members} members (signed in in {:.1} s)",
        fx.branches.len(),
        fx.towns.len(),
        started.elapsed().as_secs_f64()
    );
    println!("| endpoint | budget | req/s | vs /healthz | p50 ms | p99 ms | errors |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    load::warm_up(Load::Health, fx.clone(), client.clone(), args.connections).await;
    let mut health = None;
    let phases = [
        (Load::Health, 0),
        (Load::QueueFirst, 0),
        (Load::QueueNext, 0),
        (Load::Points, 0),
        (Load::Board, 0),
        (Load::TownStats, 0),
        (Load::CountyStats, 0),
        (Load::Submit, 0),
        (Load::Reads, 0),
        (Load::Reads, args.writes),
    ];
    for (load, writes) in phases {
        let writer = (writes > 0)
            .then(|| Beside::start(|stop| spread_writes(client.clone(), fx.clone(), writes, stop)));
        // Statistics are slow by nature: fewer connections, so the figures are latencies rather
        // than queueing.
        let connections = match load {
            Load::TownStats | Load::CountyStats => args.connections.min(4),
            _ => args.connections,
        };
        let o = load::run(load, fx.clone(), client.clone(), connections, args.seconds).await;
        let label = match writer {
            Some(w) => format!(
                "{}, while {writes} reports/s arrive over {} branches ({} accepted)",
                load.label(),
                fx.branches.len(),
                w.stop().await
            ),
            None => format!("{}, {connections} connections", load.label()),
        };
        println!(
            "| {label} | {} | {} |",
            load.budget(),
            o.cells(*health.get_or_insert(o.rate()))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
