//! E-mail over SMTP (lettre): plain, STARTTLS (`smtp://host:587?tls=required`) or implicit
//! TLS (`smtps://host:465`), user and password in the URL, over a pool of connections so a
//! local relay takes thousands a second. The notice's key is the message's `Message-ID`, and
//! what the server answers decides what happens next: 4xx or a timeout is tried again, 5xx
//! is refused for good.

use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;

use super::gateway::{Outgoing, SendError, Sent};

/// How to reach the mail server (`--smtp-url`, `--mail-from`, `--smtp-ca-file`).
#[derive(Clone)]
pub struct SmtpConfig {
    /// `smtp://[user:password@]host[:port][?tls=required|opportunistic]` or
    /// `smtps://[user:password@]host[:port]`.
    pub url: String,
    /// The sender, `noreply@example.gov.cn` or `某市政务服务中心 <noreply@example.gov.cn>`.
    pub from: String,
    /// PEM of a private CA to trust beside the public roots (a relay with its own
    /// certificate; the tests' sink).
    pub ca_pem: Option<String>,
    /// How long one SMTP command may take before the send is given up (and retried later).
    pub timeout: Duration,
    /// Connections kept open to the server at most.
    pub pool_size: u32,
}

impl std::fmt::Debug for SmtpConfig {
    // The URL may carry a password: only the part after the `@` is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (scheme, rest) = self.url.split_once("://").unwrap_or(("", &self.url));
        let server = rest.rsplit_once('@').map_or(rest, |(_, s)| s);
        f.debug_struct("SmtpConfig")
            .field("url", &format!("{scheme}://{server}"))
            .field("from", &self.from)
            .field("ca_pem", &self.ca_pem.is_some())
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl SmtpConfig {
    /// `url` and `from` with a 30 s timeout and a pool of 16 connections.
    pub fn new(url: impl Into<String>, from: impl Into<String>) -> SmtpConfig {
        SmtpConfig { url: url.into(), from: from.into(), ca_pem: None, timeout: Duration::from_secs(30), pool_size: 16 }
    }
}

/// An e-mail gateway over its own pool of connections. lettre's pooled transport is not
/// used: it bounds only the connecting by its timeout, takes a connection cut off
/// mid-command back as if it were sound, and leaves Nagle's algorithm on, so the end of
/// each message waits for the server's delayed acknowledgement (some 40 ms a message).
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    /// STARTTLS (lettre upgrades the connection).
    tls: Option<TlsParameters>,
    /// Implicit TLS, made here over a socket without Nagle's delay.
    implicit: Option<(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>)>,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    /// Connections idle since when, ready for the next message.
    idle: std::sync::Mutex<Vec<(AsyncSmtpConnection, std::time::Instant)>>,
    /// Sends at once, at most the pool's size.
    slots: tokio::sync::Semaphore,
    from: Mailbox,
    /// The domain of `Message-ID`s: the sender's.
    domain: String,
    /// The server, for logs (no password).
    server: String,
}

/// An idle connection older than this is closed rather than used (servers drop them).
const IDLE_FOR: Duration = Duration::from_secs(50);

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("server", &self.server).field("from", &self.from.to_string()).finish()
    }
}

/// The parts of an SMTP URL.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    None,
    Opportunistic,
    StartTls,
    Implicit,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_url(url: &str) -> Result<Target, String> {
    let (scheme, rest) = url.trim().split_once("://").ok_or("an SMTP URL is smtp://host:port or smtps://host:port")?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let rest = rest.trim_end_matches('/');
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let tls = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    let security = match (scheme.to_ascii_lowercase().as_str(), tls.as_deref()) {
        ("smtps", _) => Security::Implicit,
        ("smtp", None | Some("none")) => Security::None,
        ("smtp", Some("required")) => Security::StartTls,
        ("smtp", Some("opportunistic")) => Security::Opportunistic,
        ("smtp", Some(other)) => return Err(format!("tls={other}: expected required, opportunistic or none")),
        (other, _) => return Err(format!("{other}://: expected smtp:// or smtps://")),
    };
    let default_port = match security {
        Security::Implicit => 465,
        Security::StartTls => 587,
        _ => 25,
    };
    // `host`, `host:port`, `[v6]` or `[v6]:port`.
    let (host, port) = match hostport.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or("an IPv6 address in the SMTP URL lacks its ]")?;
            (host, after.strip_prefix(':'))
        }
        None => match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        },
    };
    let port = match port {
        Some(p) => p.parse::<u16>().map_err(|_| format!("port {p:?} is not a number"))?,
        None => default_port,
    };
    if host.is_empty() {
        return Err("the SMTP URL has no host".into());
    }
    let credentials = userinfo.map(|u| match u.split_once(':') {
        Some((user, password)) => (percent_decode(user), percent_decode(password)),
        None => (percent_decode(u), String::new()),
    });
    Ok(Target { host: host.to_owned(), port, security, credentials })
}

impl Smtp {
    /// A gateway for `config`; an unusable URL, sender or CA is said at once.
    pub fn new(config: SmtpConfig) -> Result<Smtp, String> {
        let target = parse_url(&config.url)?;
        let from: Mailbox = config.from.trim().parse().map_err(|e| format!("the sender {:?}: {e}", config.from))?;
        let domain = from.email.domain().to_owned();
        let tls_parameters = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(target.host.clone());
            if let Some(pem) = &config.ca_pem {
                let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("the CA certificate: {e}"))?;
                builder = builder.add_root_certificate(cert);
            }
            builder.build().map_err(|e| format!("TLS for {}: {e}", target.host))
        };
        let tls = match target.security {
            Security::None | Security::Implicit => None,
            _ => Some(tls_parameters()?),
        };
        let implicit = match target.security {
            Security::Implicit => Some(implicit_tls(&target.host, config.ca_pem.as_deref())?),
            _ => None,
        };
        let credentials = target.credentials.map(|(user, password)| Credentials::new(user, password));
        let server = format!("{}:{}", target.host, target.port);
        let size = config.pool_size.max(1) as usize;
        Ok(Smtp {
            host: target.host,
            port: target.port,
            security: target.security,
            tls,
            implicit,
            credentials,
            hello: ClientId::Domain(domain.clone()),
            timeout: config.timeout,
            idle: std::sync::Mutex::new(Vec::with_capacity(size)),
            slots: tokio::sync::Semaphore::new(size),
            from,
            domain,
            server,
        })
    }

    /// A TCP connection to the server with Nagle's algorithm off.
    async fn tcp(&self) -> Result<tokio::net::TcpStream, SendError> {
        let connect = tokio::net::TcpStream::connect((self.host.as_str(), self.port));
        let tcp = tokio::time::timeout(self.timeout, connect)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connection timed out"))
            .and_then(|r| r)
            .map_err(|e| SendError::Retry(format!("cannot reach the mail server {}: {e}", self.server)))?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }

    /// A new connection: TCP without Nagle's delay, TLS as configured (from the first byte,
    /// or by STARTTLS after EHLO), AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let mut conn = match &self.implicit {
            Some((connector, name)) => {
                let tcp = self.tcp().await?;
                let tls = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| SendError::Retry(format!("TLS with the mail server {}: {e}", self.server)))?;
                AsyncSmtpConnection::connect_with_transport(Box::new(TlsTcp(tls)), &self.hello)
                    .await
                    .map_err(|e| map_error(&e))?
            }
            None => {
                let tcp = self.tcp().await?;
                let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(|e| map_error(&e))?;
                let upgrade = match (self.security, &self.tls) {
                    (Security::StartTls, Some(tls)) => Some(tls),
                    (Security::Opportunistic, Some(tls)) if conn.can_starttls() => Some(tls),
                    _ => None,
                };
                if let Some(tls) = upgrade {
                    conn.starttls(tls.clone(), &self.hello).await.map_err(|e| map_error(&e))?;
                }
                conn
            }
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| map_error(&e))?;
        }
        Ok(conn)
    }

    /// The `Message-ID` a notice goes out with (`<tongban-notice-7@example.gov.cn>`).
    pub fn message_id(&self, key: &str) -> String {
        format!("<{key}@{}>", self.domain)
    }

    /// Sends `msg` to its address; answers the `Message-ID` it went with.
    pub async fn send(&self, msg: &Outgoing) -> Result<Sent, SendError> {
        let to: Mailbox = msg.address.trim().parse().map_err(|e| SendError::Refused {
            code: "invalid_address".into(),
            reason: format!("{:?} is not an e-mail address: {e}", msg.address),
        })?;
        let mut body = msg.body.clone();
        if let Some(url) = &msg.url {
            body.push_str("\n\n");
            body.push_str(url);
        }
        let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
        let message_id = self.message_id(&msg.key);
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(msg.subject.clone())
            .message_id(Some(message_id.clone()))
            .date_now()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .header(ContentTransferEncoding::Base64)
                    .body(body),
            )
            .map_err(|e| SendError::Refused { code: "invalid_message".into(), reason: e.to_string() })?;
        let envelope = email.envelope().clone();
        let bytes = email.formatted();
        let Ok(_slot) = self.slots.acquire().await else {
            return Err(SendError::Retry("the mail transport is closed".into()));
        };
        // A connection kept from before may have been closed by the server meanwhile: a
        // network error on it is tried once more on a new one.
        let mut reused = self.take_idle();
        loop {
            let was_reused = reused.is_some();
            let mut conn = match reused.take() {
                Some(conn) => conn,
                None => tokio::time::timeout(self.timeout * 3, self.connect()).await.map_err(|_| {
                    SendError::Retry(format!("the mail server {} did not answer in time", self.server))
                })??,
            };
            match tokio::time::timeout(self.timeout * 2, conn.send(&envelope, &bytes)).await {
                Ok(Ok(_)) => {
                    if !conn.has_broken()
                        && let Ok(mut idle) = self.idle.lock()
                    {
                        idle.push((conn, std::time::Instant::now()));
                    }
                    return Ok(Sent { provider_id: message_id });
                }
                Ok(Err(e)) if was_reused && !e.is_response() => continue,
                Ok(Err(e)) => return Err(map_error(&e)),
                // Cut off mid-command: the connection is dropped, never reused.
                Err(_) => {
                    return Err(SendError::Retry(format!("the mail server {} did not answer in time", self.server)));
                }
            }
        }
    }

    /// The most recently used idle connection that is young enough; older ones are closed.
    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().ok()?;
        idle.retain(|(_, since)| since.elapsed() < IDLE_FOR);
        idle.pop().map(|(conn, _)| conn)
    }
}

/// The TLS client of implicit TLS: the public roots and `ca_pem`'s certificates.
fn implicit_tls(
    host: &str,
    ca_pem: Option<&str>,
) -> Result<(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>), String> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(pem) = ca_pem {
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| format!("the CA certificate: {e}"))?;
            roots.add(cert).map_err(|e| format!("the CA certificate: {e}"))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| format!("{host:?} is not a host name for TLS: {e}"))?;
    Ok((tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)), name))
}

/// An implicit-TLS stream as lettre takes a stream of its own.
#[derive(Debug)]
struct TlsTcp(tokio_rustls::client::TlsStream<tokio::net::TcpStream>);

impl tokio::io::AsyncRead for TlsTcp {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for TlsTcp {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

impl lettre::transport::smtp::client::AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// 5xx refuses for good; 4xx, timeouts, unreachable servers and TLS trouble are tried again.
fn map_error(e: &lettre::transport::smtp::Error) -> SendError {
    match e.status() {
        Some(code) if e.is_permanent() => SendError::Refused { code: code.to_string(), reason: e.to_string() },
        _ if e.is_timeout() => SendError::Retry(format!("the mail server did not answer in time: {e}")),
        _ => SendError::Retry(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_say_host_port_security_and_credentials() {
        let t = parse_url("smtp://127.0.0.1:2525").expect("plain");
        assert_eq!((t.host.as_str(), t.port, t.security, t.credentials), ("127.0.0.1", 2525, Security::None, None));
        let t = parse_url("smtp://u%40x:p%3Aw@mail.example.cn?tls=required").expect("starttls");
        assert_eq!((t.port, t.security), (587, Security::StartTls));
        assert_eq!(t.credentials, Some(("u@x".to_owned(), "p:w".to_owned())));
        let t = parse_url("smtps://mail.example.cn").expect("implicit");
        assert_eq!((t.port, t.security), (465, Security::Implicit));
        assert!(parse_url("http://x").is_err());
        assert!(parse_url("smtp://x?tls=maybe").is_err());
        assert!(parse_url("smtp://x:port").is_err());
        assert!(parse_url("smtp://").is_err());
        let t = parse_url("smtp://[::1]:2525").expect("v6");
        assert_eq!((t.host.as_str(), t.port), ("::1", 2525));
        let t = parse_url("smtps://[::1]").expect("v6 without a port");
        assert_eq!((t.host.as_str(), t.port), ("::1", 465));
        let shown = format!("{:?}", SmtpConfig::new("smtp://u:pa55@mail.example.cn:25", "a@b.cn"));
        assert!(!shown.contains("pa55") && shown.contains("mail.example.cn:25"), "{shown}");
    }
}
