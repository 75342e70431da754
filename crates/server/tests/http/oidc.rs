//! Identity verification over OpenID Connect against an identity provider served here (a
//! real HTTP server on 127.0.0.1 with its own RSA key): discovery, authorization code with
//! PKCE, the ID token's signature, issuer, audience, expiry and nonce. A token that fails
//! any check verifies nobody.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Form, State};
use axum::http::{Request, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use common::{Caller, Fixture, PASSWORD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::Digest as _;
use tower::ServiceExt as _;

const KEY_PEM: &str = include_str!("../data/idp-test-key.pem");
const KEY_N: &str = include_str!("../data/idp-test-key.n");
const CLIENT: &str = "tongban-test";

/// The claims of a token, given the flow's nonce.
type Claims<'a> = Box<dyn Fn(&str) -> Value + 'a>;

/// A code the provider handed out: the PKCE challenge it must match, and the claims.
#[derive(Clone)]
struct Grant {
    challenge: String,
    claims: Value,
    kid: &'static str,
}

#[derive(Clone)]
struct Provider {
    base: String,
    codes: Arc<Mutex<HashMap<String, Grant>>>,
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    Json(json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
    }))
}

async fn jwks() -> Json<Value> {
    Json(
        json!({ "keys": [{ "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": KEY_N.trim(), "e": "AQAB" }] }),
    )
}

async fn token(
    State(p): State<Provider>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<Value>, StatusCode> {
    let grant = p
        .codes
        .lock()
        .expect("lock")
        .remove(form.get("code").map_or("", String::as_str))
        .ok_or(StatusCode::BAD_REQUEST)?;
    let verifier = form.get("code_verifier").ok_or(StatusCode::BAD_REQUEST)?;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge || form.get("client_id").map(String::as_str) != Some(CLIENT) {
        return Err(StatusCode::BAD_REQUEST);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(grant.kid.to_owned());
    let key = EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).expect("the test key");
    let id_token = jsonwebtoken::encode(&header, &grant.claims, &key).expect("signed");
    Ok(Json(json!({ "access_token": "at", "token_type": "Bearer", "id_token": id_token })))
}

async fn provider() -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let p = Provider { base, codes: Arc::default() };
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(p.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    p
}

fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

async fn send(
    app: &Router,
    caller: &Caller,
    uri: &str,
    flow: Option<&str>,
) -> (StatusCode, Option<String>, Vec<String>) {
    let mut cookies: Vec<String> = caller.cookie.iter().cloned().collect();
    cookies.extend(flow.map(str::to_owned));
    let mut req = Request::builder().uri(uri);
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies.join("; "));
    }
    let res = app.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let set: Vec<String> =
        res.headers().get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    (res.status(), location, set)
}

/// Begins a flow as `caller`; the provider then hands out a code with `claims` (the nonce
/// filled in by `with_nonce`); answers the callback's status.
async fn round_trip(
    app: &Router,
    p: &Provider,
    caller: &Caller,
    claims: impl FnOnce(&str) -> Value,
    kid: &'static str,
    tamper_state: bool,
) -> StatusCode {
    let (s, location, set) = send(app, caller, "/hall/verify/oidc", None).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let location = location.expect("to the provider");
    assert!(location.starts_with(&format!("{}/authorize?", p.base)), "{location}");
    let q = query(&location);
    assert_eq!((q["response_type"].as_str(), q["code_challenge_method"].as_str()), ("code", "S256"));
    assert_eq!(q["client_id"], CLIENT);
    let flow = set.iter().find(|c| c.starts_with("tongban_oidc=")).expect("the flow cookie");
    assert!(flow.contains("HttpOnly") && flow.contains("Secure"), "{flow}");
    let flow = flow.split(';').next().expect("pair").to_owned();
    let code = format!("code-{}", q["state"]);
    let grant = Grant { challenge: q["code_challenge"].clone(), claims: claims(&q["nonce"]), kid };
    p.codes.lock().expect("lock").insert(code.clone(), grant);
    let state = if tamper_state { "forged".to_owned() } else { q["state"].clone() };
    let callback = format!("/hall/verify/oidc/callback?code={code}&state={state}");
    send(app, caller, &callback, Some(&flow)).await.0
}

#[tokio::test]
async fn an_applicant_verifies_through_the_identity_provider_and_bad_tokens_verify_nobody() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let p = provider().await;
        let mut state = f.state.clone();
        state.oidc = Some(
            tongban_server::app::oidc::Oidc::new(tongban_server::app::oidc::OidcConfig {
                issuer: p.base.clone(),
                client_id: CLIENT.into(),
                client_secret: None,
                id_claim: "id_number".into(),
                name_claim: "name".into(),
                public_url: "https://zwfw.example.gov.cn".into(),
            })
            .expect("client"),
        );
        let app = tongban_server::router(state);
        // Someone signs up typing another person's number.
        let signup = json!({ "login": "newcomer", "password": PASSWORD, "name": "张三", "kind": "individual",
            "id_number": "620102199001011233" });
        let (s, _, _) = f.call(&Caller::default(), "POST", "/api/v1/applicants", Some(&signup.to_string())).await;
        assert_eq!(s, StatusCode::CREATED);
        let newcomer = f.login("newcomer").await;
        let now = f.state.now().as_second();
        let base = p.base.clone();
        let claims = move |nonce: &str, id: &str, exp: i64, aud: &str| {
            json!({ "iss": base, "aud": aud, "sub": "person-1", "iat": now, "exp": exp, "nonce": nonce,
                "id_number": id, "name": "张三丰" })
        };
        let real = "11010519491231002X";
        // Each failed check verifies nobody.
        let bad: [(&str, Claims<'_>, &'static str, bool); 5] = [
            ("wrong nonce", Box::new(|_: &str| claims("not-it", real, now + 300, CLIENT)), "k1", false),
            ("expired", Box::new(|n: &str| claims(n, real, now - 3600, CLIENT)), "k1", false),
            ("another audience", Box::new(|n: &str| claims(n, real, now + 300, "someone-else")), "k1", false),
            ("unknown key", Box::new(|n: &str| claims(n, real, now + 300, CLIENT)), "k2", false),
            ("forged state", Box::new(|n: &str| claims(n, real, now + 300, CLIENT)), "k1", true),
        ];
        for (why, make, kid, tamper) in bad {
            let status = round_trip(&app, &p, &newcomer, |n| make(n), kid, tamper).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{why}");
            let (_, _, me) = f.call(&newcomer, "GET", "/api/v1/me", None).await;
            assert_eq!(me["verified"], Value::Null, "{why}");
        }
        // The provider vouches for the enterprise's code on an individual's account: refused.
        let status =
            round_trip(&app, &p, &newcomer, |n| claims(n, common::APPLICANT_ID, now + 300, CLIENT), "k1", false).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // A good token verifies the account under the provider's number and name.
        let status = round_trip(&app, &p, &newcomer, |n| claims(n, real, now + 300, CLIENT), "k1", false).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, me) = f.call(&newcomer, "GET", "/api/v1/me", None).await;
        assert_eq!((me["verified"].as_str(), me["display_name"].as_str()), (Some("oidc"), Some("张三丰")), "{me}");
        let account = f.t.store.account("newcomer").await.expect("read").expect("account");
        assert_eq!(account.verified_id(), Some(real));
        assert_eq!(account.verified.expect("verified").by, p.base);
        let audit = f.t.store.audit_entries().await.expect("audit");
        let entry = audit.iter().find(|e| e.action == "account.verify").expect("audited");
        assert!(entry.detail.contains("\"oidc\""), "{}", entry.detail);
        f.t.cleanup().await;
    }
}
