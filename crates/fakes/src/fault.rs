//! Failures a fake can be told to have: answer a given error code, stop answering, or fail
//! at random (seeded, so a run can be repeated) — half of those refusing the request, half
//! doing it and losing the answer, which is what a client's exactly-once handling must
//! survive.

use std::sync::Mutex;

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

/// What to do with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Do it.
    Pass,
    /// Refuse it with this provider code.
    Code(String),
    /// Never answer.
    Hang,
    /// Do it, then answer as if the service had failed (the client cannot know it was done).
    LoseAnswer,
}

#[derive(Debug, Default)]
struct State {
    code: Option<String>,
    hang: bool,
    random: Option<(f64, ChaCha8Rng)>,
}

/// The failures set on a fake.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<State>,
}

impl Faults {
    /// Refuse every request with `code` until told `None`.
    pub fn fail_with(&self, code: Option<&str>) {
        if let Ok(mut s) = self.state.lock() {
            s.code = code.map(str::to_owned);
        }
    }

    /// Stop answering (clients time out) until told `false`.
    pub fn hang(&self, hang: bool) {
        if let Ok(mut s) = self.state.lock() {
            s.hang = hang;
        }
    }

    /// Fail a share `rate` (0..=1) of requests at random from `seed`; `rate` 0 stops it.
    pub fn random_failures(&self, rate: f64, seed: u64) {
        if let Ok(mut s) = self.state.lock() {
            s.random = (rate > 0.0).then(|| (rate.min(1.0), ChaCha8Rng::seed_from_u64(seed)));
        }
    }

    /// What to do with the next request; `busy` is the provider's code for a random refusal.
    pub fn decide(&self, busy: &str) -> Decision {
        let Ok(mut s) = self.state.lock() else { return Decision::Pass };
        if s.hang {
            return Decision::Hang;
        }
        if let Some(code) = &s.code {
            return Decision::Code(code.clone());
        }
        if let Some((rate, rng)) = s.random.as_mut() {
            let rate = *rate;
            if rng.random_bool(rate) {
                return if rng.random_bool(0.5) { Decision::Code(busy.to_owned()) } else { Decision::LoseAnswer };
            }
        }
        Decision::Pass
    }
}

/// A request id in the providers' usual shape (a UUID's layout, upper-case hex), unique
/// within the process.
pub(crate) fn request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("0E5C7A1B-{:04X}-4{:03X}-8000-{:012X}", (n >> 24) & 0xFFFF, (n >> 12) & 0xFFF, n)
}

/// Serves `router` on 127.0.0.1 on a free port; the task ends when the handle is aborted.
pub(crate) async fn serve(
    router: axum::Router,
) -> std::io::Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok((addr, task))
}
