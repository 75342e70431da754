//! One simulated client of `bench load`: picks an operation from the mix, sends it, and
//! tallies latencies, errors and every acknowledged write.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use reqwest::{RequestBuilder, StatusCode};

use super::api::{Api, Setup};
use crate::bench::Latencies;

/// A kind of request, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// `GET /api/v1/items?q=…`
    PortalSearch,
    /// `GET /api/v1/items/{code}`
    PortalItem,
    /// `GET /api/v1/lists`
    PortalLists,
    /// `POST /api/v1/cases` as the applicant.
    Submit,
    /// `GET /api/v1/cases?state=submitted` as the clerk.
    ClerkQueue,
    /// `POST /api/v1/cases/{number}/actions` as the clerk.
    ClerkAction,
    /// `GET /api/v1/cases` as the supervisor.
    Supervision,
}

impl Kind {
    /// Every kind, in report order.
    pub(super) const ALL: [Kind; 7] = [
        Kind::PortalSearch,
        Kind::PortalItem,
        Kind::PortalLists,
        Kind::Submit,
        Kind::ClerkQueue,
        Kind::ClerkAction,
        Kind::Supervision,
    ];

    /// The name in the report.
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::PortalSearch => "portal.search",
            Kind::PortalItem => "portal.item",
            Kind::PortalLists => "portal.lists",
            Kind::Submit => "submission",
            Kind::ClerkQueue => "clerk.queue",
            Kind::ClerkAction => "clerk.action",
            Kind::Supervision => "supervision",
        }
    }

    /// A portal read?
    pub(super) fn is_portal(self) -> bool {
        matches!(self, Kind::PortalSearch | Kind::PortalItem | Kind::PortalLists)
    }
}

/// A write the server acknowledged: the case and the event it must now hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ack {
    /// Case number.
    pub(super) number: String,
    /// The event's position in the case's history.
    pub(super) seq: u64,
    /// The event's kind, e.g. `submitted`, `accepted`.
    pub(super) kind: &'static str,
}

/// What clients saw; merged at the end.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Latencies of successful (2xx) responses per kind.
    pub(super) latencies: BTreeMap<Kind, Latencies>,
    /// Requests sent (whatever came back).
    pub(super) requests: u64,
    /// Operations by group (`portal`, `submission`, `clerk`, `supervision`).
    pub(super) operations: BTreeMap<&'static str, u64>,
    /// HTTP 5xx and transport errors.
    pub(super) errors: u64,
    /// 409s (racing clerks); expected.
    pub(super) conflicts: u64,
    /// Other 4xx: the benchmark asked for something wrong.
    pub(super) unexpected: u64,
    /// Clerk operations that found the queue empty.
    pub(super) idle_clerk: u64,
    /// The first few errors and unexpected answers.
    pub(super) samples: Vec<String>,
    /// Acknowledged writes.
    pub(super) acks: Vec<Ack>,
}

impl Tally {
    /// Adds another client's tally.
    pub(super) fn merge(&mut self, other: Tally) {
        for (k, l) in other.latencies {
            self.latencies.entry(k).or_default().extend(l);
        }
        for (g, n) in other.operations {
            *self.operations.entry(g).or_default() += n;
        }
        self.requests += other.requests;
        self.errors += other.errors;
        self.conflicts += other.conflicts;
        self.unexpected += other.unexpected;
        self.idle_clerk += other.idle_clerk;
        self.samples.extend(other.samples);
        self.samples.truncate(MAX_SAMPLES);
        self.acks.extend(other.acks);
    }

    fn sample(&mut self, what: String) {
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(what);
        }
    }
}

const MAX_SAMPLES: usize = 10;

/// The run's bounds: a deadline and a number of requests, shared by all clients.
#[derive(Debug)]
pub(super) struct Budget {
    deadline: Instant,
    left: AtomicU64,
}

impl Budget {
    pub(super) fn new(deadline: Instant, requests: u64) -> Self {
        Self { deadline, left: AtomicU64::new(requests) }
    }

    /// Takes one request from the budget; false once time or requests are used up.
    fn take(&self) -> bool {
        Instant::now() < self.deadline
            && self.left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
    }
}

/// One client.
pub(super) struct Client {
    api: Arc<Api>,
    setup: Arc<Setup>,
    budget: Arc<Budget>,
    rng: ChaCha8Rng,
    tally: Tally,
}

impl Client {
    pub(super) fn new(api: Arc<Api>, setup: Arc<Setup>, budget: Arc<Budget>, seed: u64) -> Self {
        Self { api, setup, budget, rng: ChaCha8Rng::seed_from_u64(seed), tally: Tally::default() }
    }

    /// Sends operations from the mix until the budget is spent.
    pub(super) async fn run(mut self) -> Tally {
        loop {
            let more = match self.rng.random_range(0..100) {
                0..70 => self.portal_read().await,
                70..80 => self.submit().await,
                80..95 => self.clerk_action().await,
                _ => self.supervision_read().await,
            };
            if !more {
                return self.tally;
            }
        }
    }

    /// Sends a request if the budget allows; returns the body of a 2xx answer. `None` when
    /// out of budget (and `Some(None)` for any other answer, which is tallied).
    async fn send(&mut self, kind: Kind, request: RequestBuilder) -> Option<Option<serde_json::Value>> {
        if !self.budget.take() {
            return None;
        }
        self.tally.requests += 1;
        let started = Instant::now();
        let answer = async {
            let response = request.send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let elapsed = started.elapsed();
        match answer {
            Err(e) => {
                self.tally.errors += 1;
                self.tally.sample(format!("{}: transport error: {e}", kind.name()));
                Some(None)
            }
            Ok((status, body)) if status.is_success() => {
                self.tally.latencies.entry(kind).or_default().push(elapsed);
                Some(Some(serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)))
            }
            Ok((status, body)) => {
                if status == StatusCode::CONFLICT {
                    self.tally.conflicts += 1;
                } else {
                    if status.is_server_error() {
                        self.tally.errors += 1;
                    } else {
                        self.tally.unexpected += 1;
                    }
                    let body: String = String::from_utf8_lossy(&body).chars().take(300).collect();
                    self.tally.sample(format!("{}: HTTP {status}: {body}", kind.name()));
                }
                Some(None)
            }
        }
    }

    fn count(&mut self, group: &'static str) {
        *self.tally.operations.entry(group).or_default() += 1;
    }

    /// ~70 %: search (40 %), an item's guide (50 %) or the four lists (10 %), anonymously.
    async fn portal_read(&mut self) -> bool {
        self.count("portal");
        let pick = self.rng.random_range(0..100);
        let (kind, request) = if pick < 40 {
            let q = pick_one(&mut self.rng, &self.setup.words).cloned().unwrap_or_default();
            (Kind::PortalSearch, self.api.get("/api/v1/items", None).query(&[("q", q)]))
        } else if pick < 90 {
            let code = pick_one(&mut self.rng, &self.setup.item_codes).cloned().unwrap_or_default();
            (Kind::PortalItem, self.api.get(&format!("/api/v1/items/{code}"), None))
        } else {
            (Kind::PortalLists, self.api.get("/api/v1/lists", None))
        };
        self.send(kind, request).await.is_some()
    }

    /// ~10 %: the demo applicant applies online for the chosen item.
    async fn submit(&mut self) -> bool {
        self.count("submission");
        let body = self.setup.submission.clone();
        let request = self.api.post("/api/v1/cases", &self.setup.applicant).json(&body);
        let Some(answer) = self.send(Kind::Submit, request).await else { return false };
        if let Some(number) = answer.as_ref().and_then(|v| v["number"].as_str()) {
            self.tally.acks.push(Ack { number: number.to_owned(), seq: 1, kind: "submitted" });
        }
        true
    }

    /// ~15 %: the clerk reads the queue and accepts (60 %), asks for a correction (25 %) or
    /// rejects (15 %) one case of it, with `If-Match` on the version read.
    async fn clerk_action(&mut self) -> bool {
        self.count("clerk");
        let clerk = self.setup.clerk.clone();
        let queue = self.api.get("/api/v1/cases", Some(&clerk)).query(&[("state", "submitted"), ("per_page", "20")]);
        let Some(answer) = self.send(Kind::ClerkQueue, queue).await else { return false };
        let cases = answer.as_ref().and_then(|v| v["items"].as_array()).cloned().unwrap_or_default();
        let Some(case) = pick_one(&mut self.rng, &cases) else {
            self.tally.idle_clerk += 1;
            return true;
        };
        let (Some(number), Some(version)) = (case["number"].as_str(), case["version"].as_u64()) else {
            self.tally.unexpected += 1;
            self.tally.sample(format!("clerk.queue: a case without number or version: {case}"));
            return true;
        };
        let first_material = case["materials"].as_array().and_then(|m| m.first()).and_then(|m| m.as_str());
        let pick = self.rng.random_range(0..100);
        let (action, event) = match (pick, first_material) {
            (60..85, Some(m)) => (
                serde_json::json!({"action": "request_correction", "missing": [m], "note": "请补正"}),
                "correction_requested",
            ),
            (85.., _) => (serde_json::json!({"action": "reject", "reason": "不属于本部门受理范围"}), "rejected"),
            _ => (serde_json::json!({"action": "accept"}), "accepted"),
        };
        let request = self
            .api
            .post(&format!("/api/v1/cases/{number}/actions"), &clerk)
            .header(reqwest::header::IF_MATCH, format!("\"{version}\""))
            .json(&action);
        let number = number.to_owned();
        let Some(answer) = self.send(Kind::ClerkAction, request).await else { return false };
        if let Some(seq) = answer.as_ref().and_then(|v| v["version"].as_u64()) {
            self.tally.acks.push(Ack { number, seq, kind: event });
        }
        true
    }

    /// ~5 %: the supervisor pages through all cases.
    async fn supervision_read(&mut self) -> bool {
        self.count("supervision");
        let page = self.rng.random_range(1..=5u32).to_string();
        let request = self
            .api
            .get("/api/v1/cases", Some(&self.setup.supervisor))
            .query(&[("page", page.as_str()), ("per_page", "20")]);
        self.send(Kind::Supervision, request).await.is_some()
    }
}

fn pick_one<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() { None } else { items.get(rng.random_range(0..items.len())) }
}
