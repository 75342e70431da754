//! The server as `bench load` sees it: a loopback base URL, demo logins (session cookie and
//! CSRF token), and what the mix needs to know before it starts.

use std::net::IpAddr;

use anyhow::{Context as _, bail};
use reqwest::RequestBuilder;

use crate::demo_accounts::{DEMO_CREDIT_CODE, DEMO_PASSWORD};

/// Checks that `url` is plain HTTP to this machine (127.0.0.0/8, ::1 or `localhost`) and
/// returns it without a trailing slash. A load generator must never be pointed elsewhere.
pub(crate) fn loopback_base(url: &str) -> anyhow::Result<String> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("{url:?} is not a URL"))?;
    if parsed.scheme() != "http" {
        bail!("{url:?}: only http:// to this machine is supported");
    }
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            // is_loopback is 127.0.0.0/8 for IPv4 and exactly ::1 for IPv6.
            Ok(ip) => ip.is_loopback(),
            Err(_) => false,
        };
    if !loopback {
        bail!(
            "refusing to load {host:?}: bench load only drives a server on this machine (127.0.0.0/8, ::1, localhost)"
        );
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        bail!("{url:?}: no credentials in the URL; the demo accounts are used");
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// A logged-in demo account.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    cookie: String,
    csrf: String,
}

/// The HTTP client and the server's base URL.
#[derive(Debug)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    /// A client for `base` (already checked to be loopback); every request times out.
    pub(crate) fn new(base: String, clients: usize) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            // A proxy from the environment would take the traffic off this machine.
            .no_proxy()
            .timeout(std::time::Duration::from_secs(30))
            .pool_max_idle_per_host(clients)
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Api { http, base })
    }

    /// A GET, with the session's cookie when given.
    pub(crate) fn get(&self, path: &str, session: Option<&Session>) -> RequestBuilder {
        let request = self.http.get(format!("{}{path}", self.base));
        match session {
            Some(s) => request.header(reqwest::header::COOKIE, &s.cookie),
            None => request,
        }
    }

    /// A POST with the session's cookie and CSRF token.
    pub(crate) fn post(&self, path: &str, session: &Session) -> RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &session.cookie)
            .header("x-csrf-token", &session.csrf)
    }

    /// Logs a demo account in.
    pub(crate) async fn login(&self, login: &str) -> anyhow::Result<Session> {
        let response = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&serde_json::json!({ "login": login, "password": DEMO_PASSWORD }))
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.base))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("logging in as {login} failed with HTTP {status} (run `tongban demo` first?): {body}");
        }
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("the login answer set no session cookie")?
            .to_owned();
        let me: serde_json::Value = response.json().await?;
        let csrf = me["csrf_token"].as_str().context("the login answer has no CSRF token")?.to_owned();
        Ok(Session { cookie, csrf })
    }

    /// GET `path` (with a session) and parse the JSON of a 2xx answer.
    pub(crate) async fn get_json(&self, path: &str, session: Option<&Session>) -> anyhow::Result<serde_json::Value> {
        let response = self.get(path, session).send().await.with_context(|| format!("GET {path}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("GET {path} answered HTTP {status}");
        }
        response.json().await.with_context(|| format!("GET {path}: not JSON"))
    }
}

/// What the mix needs before it starts: sessions, the item to apply for, words and codes
/// to read.
#[derive(Debug)]
pub(crate) struct Setup {
    /// `applicant`.
    pub(crate) applicant: Session,
    /// `fgw.clerk`.
    pub(crate) clerk: Session,
    /// `supervisor`.
    pub(crate) supervisor: Session,
    /// The body of every submission.
    pub(crate) submission: serde_json::Value,
    /// The item applied for.
    pub(crate) item: String,
    /// Item codes to read guides of.
    pub(crate) item_codes: Vec<String>,
    /// Words to search for (the first two characters of item names).
    pub(crate) words: Vec<String>,
}

impl Setup {
    /// Logs in the three demo accounts (once each; clients share the sessions) and reads the
    /// catalog.
    pub(crate) async fn discover(api: &Api) -> anyhow::Result<Setup> {
        let applicant = api.login("applicant").await?;
        let clerk = api.login("fgw.clerk").await?;
        let supervisor = api.login("supervisor").await?;
        let online = api.get_json("/api/v1/items?department=fgw&channel=online&per_page=200", None).await?;
        let item = online["items"]
            .as_array()
            .and_then(|items| items.first())
            .cloned()
            .context("no fgw item is offered online: is this the demo database?")?;
        let code = item["code"].as_str().context("an item without code")?.to_owned();
        let materials: Vec<String> = item["materials"]
            .as_array()
            .map(|ms| {
                ms.iter()
                    .filter(|m| m["required"].as_bool() == Some(true))
                    .filter_map(|m| m["name"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let submission = serde_json::json!({
            "item": code,
            "applicant": { "kind": "enterprise", "name": "兰州示范科技有限公司", "id_number": DEMO_CREDIT_CODE },
            "channel": "online",
            "materials": materials,
        });
        let all = api.get_json("/api/v1/items?per_page=200", None).await?;
        let names_and_codes: Vec<(String, String)> = all["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| Some((i["name"].as_str()?.to_owned(), i["code"].as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let mut words: Vec<String> = names_and_codes.iter().map(|(n, _)| n.chars().take(2).collect()).collect();
        words.sort();
        words.dedup();
        let item_codes = names_and_codes.into_iter().map(|(_, c)| c).collect();
        Ok(Setup { applicant, clerk, supervisor, submission, item: code, item_codes, words })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_addresses_are_accepted() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://[::1]:9000",
            "http://localhost:8080/",
            "http://LOCALHOST",
        ] {
            assert!(loopback_base(url).is_ok(), "{url} should be accepted");
        }
        assert_eq!(loopback_base("http://127.0.0.1:8080/").ok().as_deref(), Some("http://127.0.0.1:8080"));
    }

    #[test]
    fn other_hosts_are_refused() {
        for url in [
            "http://10.0.0.1:8080",
            "http://192.168.1.1",
            "http://0.0.0.0:8080",
            "http://[::]:8080",
            "http://[::ffff:127.0.0.1]:8080",
            "http://example.com",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "https://127.0.0.1",
            "http://user:pw@127.0.0.1",
            "not a url",
        ] {
            assert!(loopback_base(url).is_err(), "{url} should be refused");
        }
    }
}
