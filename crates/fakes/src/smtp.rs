//! An SMTP sink (RFC 5321) on 127.0.0.1: takes every message it is given and keeps it for
//! the test to look at. It speaks plain SMTP, STARTTLS (RFC 3207) or implicit TLS
//! (RFC 8314, "smtps") with a self-signed certificate for `localhost` and `127.0.0.1`,
//! whose PEM [`SmtpSink::ca_pem`] gives the client to trust. `AUTH PLAIN` and `AUTH LOGIN`
//! (RFC 4954) take any credentials and record who signed in. It can be told to answer the
//! end of a message with a given reply ([`SmtpSink::reply_with`]) or to stop answering
//! ([`SmtpSink::hang`]).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// How the sink takes connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plain SMTP, no STARTTLS offered.
    Plain,
    /// Plain SMTP that offers STARTTLS.
    StartTls,
    /// TLS from the first byte (port 465 style).
    ImplicitTls,
}

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message (headers and body) after dot-unstuffing, lines joined with CRLF.
    pub data: String,
    /// Whether it came over TLS.
    pub tls: bool,
    /// The user that authenticated on the connection, if any.
    pub user: Option<String>,
}

impl Message {
    /// The value of the first header named `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut found: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with(' ') || line.starts_with('\t') {
                // Unfolding takes the line break away and keeps the blank.
                if let Some(v) = found.as_mut() {
                    v.push_str(line);
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                found = Some(v.trim().to_owned());
            }
        }
        found
    }

    /// The `Subject:` with RFC 2047 encoded words (`=?utf-8?b?…?=`, `?q?`) decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("subject").map(|s| decode_words(&s))
    }

    /// The body of a single-part message, its `Content-Transfer-Encoding` (base64,
    /// quoted-printable, 7bit/8bit) undone.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
        match self.header("content-transfer-encoding").map(|e| e.to_ascii_lowercase()).as_deref() {
            Some("base64") => {
                let compact: String = body.split_whitespace().collect();
                let bytes = base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Some("quoted-printable") => String::from_utf8_lossy(&quoted_printable(body, false)).into_owned(),
            _ => body.to_owned(),
        }
    }
}

/// Decodes RFC 2047 encoded words; the whitespace between two of them goes.
fn decode_words(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        let word = after.get(2..).and_then(|w| {
            let (charset, w) = w.split_once('?')?;
            let (encoding, w) = w.split_once('?')?;
            let (data, tail) = w.split_once("?=")?;
            let _ = charset;
            let bytes = match encoding.to_ascii_lowercase().as_str() {
                "b" => base64::engine::general_purpose::STANDARD.decode(data).ok()?,
                "q" => quoted_printable(data, true),
                _ => return None,
            };
            Some((String::from_utf8_lossy(&bytes).into_owned(), tail))
        });
        match word {
            Some((decoded, tail)) => {
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&decoded);
                rest = tail;
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = after.get(2..).unwrap_or_default();
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Quoted-printable (RFC 2045) or, with `underscores`, the Q encoding of RFC 2047.
fn quoted_printable(text: &str, underscores: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' => match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if underscores => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[derive(Default)]
struct Shared {
    messages: Mutex<Vec<Message>>,
    reply: Mutex<Option<(u16, String)>>,
    hang: AtomicBool,
}

/// A running sink; stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    mode: Mode,
    ca_pem: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSink").field("addr", &self.addr).field("mode", &self.mode).finish_non_exhaustive()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A self-signed certificate for `localhost` and `127.0.0.1`: its PEM and a TLS acceptor.
pub(crate) fn self_signed() -> std::io::Result<(String, TlsAcceptor)> {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(std::io::Error::other)?;
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(std::io::Error::other)?;
    Ok((pem, TlsAcceptor::from(Arc::new(config))))
}

/// Starts a sink on 127.0.0.1 on a free port.
pub async fn start(mode: Mode) -> std::io::Result<SmtpSink> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (ca_pem, acceptor) = self_signed()?;
    let shared = Arc::new(Shared::default());
    let task = tokio::spawn({
        let shared = shared.clone();
        async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                let (shared, acceptor) = (shared.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let _ = connection(stream, mode, acceptor, shared).await;
                });
            }
        }
    });
    Ok(SmtpSink { addr, mode, ca_pem, shared, task })
}

impl SmtpSink {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL a client configures (`smtp://127.0.0.1:port`, with `?tls=required` for
    /// STARTTLS, `smtps://` for implicit TLS).
    pub fn url(&self) -> String {
        match self.mode {
            Mode::Plain => format!("smtp://{}", self.addr),
            Mode::StartTls => format!("smtp://{}?tls=required", self.addr),
            Mode::ImplicitTls => format!("smtps://{}", self.addr),
        }
    }

    /// The PEM of the sink's self-signed certificate, for the client to trust.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Message> {
        self.shared.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// How many messages were received.
    pub fn count(&self) -> usize {
        self.shared.messages.lock().map(|m| m.len()).unwrap_or_default()
    }

    /// How many messages came with this `Message-ID` (`<tongban-notice-7@example.gov.cn>`):
    /// an SMTP server does not de-duplicate, so a resend after a crash counts twice here.
    pub fn count_for(&self, message_id: &str) -> usize {
        let Ok(messages) = self.shared.messages.lock() else { return 0 };
        messages.iter().filter(|m| m.header("message-id").as_deref() == Some(message_id)).count()
    }

    /// Answer the end of each message with `code text` instead of 250 (and keep nothing);
    /// `None` goes back to accepting.
    pub fn reply_with(&self, reply: Option<(u16, &str)>) {
        if let Ok(mut r) = self.shared.reply.lock() {
            *r = reply.map(|(c, t)| (c, t.to_owned()));
        }
    }

    /// Stop answering at the end of a message (the client times out), or answer again.
    pub fn hang(&self, hang: bool) {
        self.shared.hang.store(hang, Ordering::SeqCst);
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

async fn connection(stream: TcpStream, mode: Mode, acceptor: TlsAcceptor, shared: Arc<Shared>) -> std::io::Result<()> {
    let (io, mut tls): (Box<dyn Io>, bool) = match mode {
        Mode::ImplicitTls => (Box::new(acceptor.accept(stream).await?), true),
        _ => (Box::new(stream), false),
    };
    let mut io = BufReader::new(io);
    io.write_all(b"220 localhost ESMTP tongban-fakes\r\n").await?;
    io.flush().await?;
    let mut user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if io.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let verb = command.split(' ').next().unwrap_or_default().to_ascii_uppercase();
        let arg = command.get(verb.len()..).unwrap_or_default().trim();
        let reply: String = match verb.as_str() {
            "EHLO" => {
                let mut r = String::from("250-localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n");
                if mode == Mode::StartTls && !tls {
                    r.push_str("250-STARTTLS\r\n");
                }
                r.push_str("250 AUTH PLAIN LOGIN\r\n");
                r
            }
            "HELO" => "250 localhost\r\n".into(),
            "STARTTLS" if mode == Mode::StartTls && !tls => {
                io.write_all(b"220 2.0.0 ready to start TLS\r\n").await?;
                io.flush().await?;
                let plain = io.into_inner();
                io = BufReader::new(Box::new(acceptor.accept(plain).await?));
                tls = true;
                (from, to) = (None, Vec::new());
                continue;
            }
            "AUTH" => {
                let mut parts = arg.split(' ');
                let mechanism = parts.next().unwrap_or_default().to_ascii_uppercase();
                let initial = parts.next().map(str::to_owned);
                match mechanism.as_str() {
                    "PLAIN" => {
                        let response = match initial {
                            Some(r) => r,
                            None => challenge(&mut io, "").await?,
                        };
                        let decoded = decode(&response);
                        user = decoded.split('\0').nth(1).map(str::to_owned);
                        "235 2.7.0 authentication succeeded\r\n".into()
                    }
                    "LOGIN" => {
                        let name = match initial {
                            Some(r) => r,
                            None => challenge(&mut io, "VXNlcm5hbWU6").await?,
                        };
                        let _password = challenge(&mut io, "UGFzc3dvcmQ6").await?;
                        user = Some(decode(&name));
                        "235 2.7.0 authentication succeeded\r\n".into()
                    }
                    _ => "504 5.5.4 mechanism not supported\r\n".into(),
                }
            }
            "MAIL" => {
                from = Some(angle(arg));
                to.clear();
                "250 2.1.0 ok\r\n".into()
            }
            "RCPT" if from.is_some() => {
                to.push(angle(arg));
                "250 2.1.5 ok\r\n".into()
            }
            "RCPT" => "503 5.5.1 MAIL first\r\n".into(),
            "DATA" if from.is_some() && !to.is_empty() => {
                io.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await?;
                io.flush().await?;
                let data = read_data(&mut io).await?;
                if shared.hang.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                let injected = shared.reply.lock().ok().and_then(|r| r.clone());
                let reply = match injected {
                    Some((code, text)) => format!("{code} {text}\r\n"),
                    None => {
                        let message = Message {
                            from: from.take().unwrap_or_default(),
                            to: std::mem::take(&mut to),
                            data,
                            tls,
                            user: user.clone(),
                        };
                        if let Ok(mut m) = shared.messages.lock() {
                            m.push(message);
                        }
                        "250 2.0.0 ok: queued\r\n".into()
                    }
                };
                (from, to) = (None, Vec::new());
                reply
            }
            "DATA" => "503 5.5.1 RCPT first\r\n".into(),
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 2.0.0 ok\r\n".into()
            }
            "NOOP" => "250 2.0.0 ok\r\n".into(),
            "QUIT" => {
                io.write_all(b"221 2.0.0 bye\r\n").await?;
                io.flush().await?;
                return Ok(());
            }
            _ => "502 5.5.2 command not recognised\r\n".into(),
        };
        io.write_all(reply.as_bytes()).await?;
        io.flush().await?;
    }
}

/// Sends a `334` challenge and reads the client's answer line.
async fn challenge(io: &mut BufReader<Box<dyn Io>>, prompt: &str) -> std::io::Result<String> {
    io.write_all(format!("334 {prompt}\r\n").as_bytes()).await?;
    io.flush().await?;
    let mut answer = String::new();
    io.read_line(&mut answer).await?;
    Ok(answer.trim_end_matches(['\r', '\n']).to_owned())
}

/// The message after `DATA` up to the lone dot, with leading dots unstuffed (RFC 5321 4.5.2).
async fn read_data(io: &mut BufReader<Box<dyn Io>>) -> std::io::Result<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if io.read_until(b'\n', &mut raw).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let text = String::from_utf8_lossy(&raw);
        let text = text.trim_end_matches(['\r', '\n']);
        if text == "." {
            return Ok(lines.join("\r\n"));
        }
        lines.push(text.strip_prefix('.').unwrap_or(text).to_owned());
    }
}

fn decode(b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `FROM:<a@b> SIZE=…` → `a@b`.
fn angle(arg: &str) -> String {
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_owned(),
        _ => arg.split_once(':').map(|(_, v)| v.trim().to_owned()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_plain_session_is_recorded_with_dots_unstuffed() {
        let sink = start(Mode::Plain).await.expect("sink");
        let stream = TcpStream::connect(sink.addr()).await.expect("connect");
        let mut io = BufReader::new(stream);
        let mut line = String::new();
        let mut say = async |io: &mut BufReader<TcpStream>, text: &str| {
            io.write_all(text.as_bytes()).await.expect("write");
            let mut reply = String::new();
            loop {
                line.clear();
                io.read_line(&mut line).await.expect("read");
                reply.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return reply;
                }
            }
        };
        assert!(say(&mut io, "").await.starts_with("220"));
        assert!(say(&mut io, "EHLO t\r\n").await.contains("AUTH PLAIN LOGIN"));
        assert!(say(&mut io, "AUTH PLAIN AHUAcA==\r\n").await.starts_with("235"));
        assert!(say(&mut io, "MAIL FROM:<a@x.cn>\r\n").await.starts_with("250"));
        assert!(say(&mut io, "RCPT TO:<b@x.cn>\r\n").await.starts_with("250"));
        assert!(say(&mut io, "DATA\r\n").await.starts_with("354"));
        assert!(say(&mut io, "Subject: hi\r\n\r\n..dot\r\nend\r\n.\r\n").await.starts_with("250"));
        assert!(say(&mut io, "QUIT\r\n").await.starts_with("221"));
        let messages = sink.messages();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].to, vec!["b@x.cn".to_owned()]);
        assert_eq!(messages[0].data, "Subject: hi\r\n\r\n.dot\r\nend");
        assert_eq!(messages[0].user.as_deref(), Some("u"));
        assert_eq!(messages[0].header("subject").as_deref(), Some("hi"));
    }
}
