//! What the binary's integration tests share: a `tongban serve` child process on a free port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `tongban serve`, killed when dropped; `.1` is its base URL.
pub struct Server(pub Child, pub String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tongban serve` on `url`'s database with `extra` flags, once it listens.
pub fn serve(url: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .args(extra)
        .env("TONGBAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    // The first line of standard output names the address it listens on.
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address line");
    Server(child, line.trim().rsplit(' ').next().expect("url").trim_end_matches('/').to_owned())
}
