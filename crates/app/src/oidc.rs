//! Identity verification through an external identity provider over OpenID Connect — a
//! province's unified identity platform (统一身份认证). The authorization code flow with
//! PKCE: the applicant is sent to the provider, comes back with a code, and the server
//! exchanges it for an ID token whose signature (the provider's JWKS), issuer, audience,
//! expiry and nonce it checks before taking the identity number from a configured claim.
//!
//! The flow's secrets (state, nonce, PKCE verifier) travel in an HttpOnly cookie scoped to
//! the callback, so any server behind a load balancer can finish what another began.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

/// The cookie carrying the flow's state, nonce and PKCE verifier.
pub const FLOW_COOKIE: &str = "tongban_oidc";
/// Where the provider sends the applicant back.
pub const CALLBACK_PATH: &str = "/hall/verify/oidc/callback";

/// How the server meets the identity provider (`--oidc-*`).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer URL; its discovery document is at `/.well-known/openid-configuration`.
    pub issuer: String,
    /// This center's client id at the provider.
    pub client_id: String,
    /// The client secret, when the provider gave one (sent as HTTP Basic).
    pub client_secret: Option<String>,
    /// The ID token claim holding the 居民身份证号码 or 统一社会信用代码.
    pub id_claim: String,
    /// The claim holding the name as the provider has it.
    pub name_claim: String,
    /// The server's public base URL (`--public-url`), for the redirect URI.
    pub public_url: String,
}

/// Why verifying through the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered badly.
    #[error("the identity provider could not be used: {0}")]
    Provider(String),
    /// The ID token is not acceptable (signature, issuer, audience, expiry, nonce).
    #[error("the identity provider's token is not acceptable: {0}")]
    Token(String),
    /// The callback does not belong to a flow this browser began.
    #[error("this sign-in did not start here, or has expired; start again")]
    Flow,
}

/// The provider's endpoints, from its discovery document.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// What the provider vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VouchedIdentity {
    /// The identity number (or credit code) from the configured claim.
    pub id_number: String,
    /// The name, when the provider gives one.
    pub name: Option<String>,
    /// The provider's subject identifier for the person.
    pub subject: String,
}

/// A flow begun: where to send the browser and the cookie that remembers it.
#[derive(Debug, Clone)]
pub struct Begun {
    /// The provider's authorization URL with this flow's parameters.
    pub redirect_to: String,
    /// The `Set-Cookie` value holding the flow's secrets.
    pub cookie: String,
}

/// The client: configuration, an HTTP client, and the discovery document and keys, fetched
/// on first use and refetched when a token names a key not seen yet (key rotation).
#[derive(Debug)]
pub struct Oidc {
    config: OidcConfig,
    http: reqwest::Client,
    discovery: RwLock<Option<Discovery>>,
    keys: RwLock<Option<JwkSet>>,
}

fn random(bytes: usize) -> Result<String, OidcError> {
    crate::credentials::random_hex(bytes).map_err(|e| OidcError::Provider(e.to_string()))
}

impl Oidc {
    /// A client for `config`.
    pub fn new(config: OidcConfig) -> Result<Arc<Oidc>, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        Ok(Arc::new(Oidc { config, http, discovery: RwLock::new(None), keys: RwLock::new(None) }))
    }

    fn redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.config.public_url.trim_end_matches('/'))
    }

    async fn discovery(&self) -> Result<Discovery, OidcError> {
        if let Some(d) = self.discovery.read().await.clone() {
            return Ok(d);
        }
        let url = format!("{}/.well-known/openid-configuration", self.config.issuer.trim_end_matches('/'));
        let d: Discovery = self.get_json(&url).await?;
        if d.issuer.trim_end_matches('/') != self.config.issuer.trim_end_matches('/') {
            return Err(OidcError::Provider(format!("discovery names issuer {:?}, not the one configured", d.issuer)));
        }
        *self.discovery.write().await = Some(d.clone());
        Ok(d)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let res = self.http.get(url).send().await.map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if !res.status().is_success() {
            return Err(OidcError::Provider(format!("{url} answered {}", res.status())));
        }
        res.json().await.map_err(|e| OidcError::Provider(format!("{url}: {e}")))
    }

    /// Begins a flow: the authorization URL (code flow, PKCE S256, state and nonce) and
    /// the cookie that holds the flow's secrets for ten minutes.
    pub async fn begin(&self) -> Result<Begun, OidcError> {
        let d = self.discovery().await?;
        let (state, nonce, verifier) = (random(16)?, random(16)?, random(32)?);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.redirect_uri())
            .append_pair("scope", "openid profile")
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        let separator = if d.authorization_endpoint.contains('?') { '&' } else { '?' };
        Ok(Begun {
            redirect_to: format!("{}{separator}{query}", d.authorization_endpoint),
            cookie: format!(
                "{FLOW_COOKIE}={state}.{nonce}.{verifier}; Path={CALLBACK_PATH}; Max-Age=600; HttpOnly; Secure; SameSite=Lax"
            ),
        })
    }

    /// Finishes a flow at the callback: checks `state` against the flow's cookie, exchanges
    /// `code` for an ID token and checks it at `now`; answers who the provider vouches for.
    pub async fn finish(
        &self,
        flow_cookie: Option<&str>,
        state: &str,
        code: &str,
        now: jiff::Timestamp,
    ) -> Result<VouchedIdentity, OidcError> {
        let mut parts = flow_cookie.unwrap_or("").splitn(3, '.');
        let (Some(expected), Some(nonce), Some(verifier)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(OidcError::Flow);
        };
        if expected.is_empty() || !crate::credentials::same_secret(expected, state) {
            return Err(OidcError::Flow);
        }
        let d = self.discovery().await?;
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri()),
            ("client_id", &self.config.client_id),
            ("code_verifier", verifier),
        ];
        let mut request = self.http.post(&d.token_endpoint).form(&form);
        if let Some(secret) = &self.config.client_secret {
            request = request.basic_auth(&self.config.client_id, Some(secret));
        }
        let res = request.send().await.map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        if !res.status().is_success() {
            return Err(OidcError::Provider(format!("the token endpoint answered {}", res.status())));
        }
        #[derive(Deserialize)]
        struct Tokens {
            id_token: String,
        }
        let tokens: Tokens = res.json().await.map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        self.check_id_token(&d, &tokens.id_token, nonce, now).await
    }

    async fn key_for(&self, d: &Discovery, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        for refresh in [false, true] {
            if refresh || self.keys.read().await.is_none() {
                let set: JwkSet = self.get_json(&d.jwks_uri).await?;
                *self.keys.write().await = Some(set);
            }
            let keys = self.keys.read().await;
            let set = keys.as_ref().ok_or_else(|| OidcError::Provider("no keys".into()))?;
            let found = match kid {
                Some(kid) => set.find(kid),
                None if set.keys.len() == 1 => set.keys.first(),
                None => None,
            };
            if let Some(jwk) = found {
                return DecodingKey::from_jwk(jwk).map_err(|e| OidcError::Token(format!("the provider's key: {e}")));
            }
        }
        Err(OidcError::Token("signed with a key the provider does not publish".into()))
    }

    async fn check_id_token(
        &self,
        d: &Discovery,
        token: &str,
        nonce: &str,
        now: jiff::Timestamp,
    ) -> Result<VouchedIdentity, OidcError> {
        let bad = |e: &dyn std::fmt::Display| OidcError::Token(e.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|e| bad(&e))?;
        // Asymmetric signatures only: never "none", never HMAC with a public value.
        if !matches!(
            header.alg,
            Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::ES256 | Algorithm::PS256
        ) {
            return Err(OidcError::Token(format!("signature algorithm {:?} is not accepted", header.alg)));
        }
        let key = self.key_for(d, header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[d.issuer.as_str()]);
        validation.set_audience(&[self.config.client_id.as_str()]);
        validation.set_required_spec_claims(&["iss", "aud", "exp", "sub"]);
        // Expiry is checked below against the server's clock, which tests set.
        validation.validate_exp = false;
        let claims = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &validation)
            .map_err(|e| bad(&e))?
            .claims;
        let seconds = |name: &str| claims.get(name).and_then(serde_json::Value::as_i64);
        let now_s = now.as_second();
        if seconds("exp").is_none_or(|exp| exp + 60 < now_s) {
            return Err(OidcError::Token("expired".into()));
        }
        if seconds("iat").is_some_and(|iat| iat - 60 > now_s) {
            return Err(OidcError::Token("issued in the future".into()));
        }
        let said = claims.get("nonce").and_then(serde_json::Value::as_str).unwrap_or("");
        if !crate::credentials::same_secret(said, nonce) {
            return Err(OidcError::Token("its nonce is not this flow's".into()));
        }
        let text = |name: &str| claims.get(name).and_then(serde_json::Value::as_str).map(|s| s.trim().to_owned());
        let id_number = text(&self.config.id_claim).filter(|s| !s.is_empty()).ok_or_else(|| {
            OidcError::Token(format!("it has no {:?} claim with the identity number", self.config.id_claim))
        })?;
        Ok(VouchedIdentity {
            id_number,
            name: text(&self.config.name_claim).filter(|s| !s.is_empty()),
            subject: text("sub").unwrap_or_default(),
        })
    }

    /// The issuer, as recorded with a verification.
    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }
}
