//! `tongban bench load` against a real `tongban serve` on the demo data: no errors, no lost
//! writes (no timing assertions), and it refuses to drive anything but this machine.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `tongban serve`, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tongban() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongban"));
    c.env("TONGBAN_LOG", "warn").env_remove("TONGBAN_DATABASE_URL").env_remove("TONGBAN_CONFIG");
    c
}

/// Starts `tongban serve` on a free loopback port; returns it and its base URL.
fn serve(data_dir: &std::path::Path) -> (Server, String) {
    let mut child = tongban()
        .args(["serve", "--no-rate-limits", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("tongban serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the server prints its address");
    let url = line.trim().rsplit(' ').next().expect("an address").trim_end_matches('/').to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "unexpected first line {line:?}");
    (server, url)
}

#[test]
fn bench_load_on_the_demo_has_no_errors_and_loses_no_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seeded = tongban().args(["demo", "--seed-only", "--data-dir"]).arg(dir.path()).output().expect("demo runs");
    assert!(seeded.status.success(), "demo --seed-only failed: {}", String::from_utf8_lossy(&seeded.stderr));
    let (_server, url) = serve(dir.path());

    let out = tongban()
        .args(["bench", "load", "--url", &url, "--clients", "4", "--seconds", "3", "--json"])
        .output()
        .expect("bench load runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("bench load printed no JSON ({e}): {stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    assert_eq!(report["errors"], 0, "errors: {report:#}");
    assert_eq!(report["unexpected_4xx"], 0, "the mix sent requests the server refused: {report:#}");
    assert_eq!(report["lost_writes"], 0, "acknowledged writes were lost: {report:#}");
    assert!(report["requests"].as_u64().is_some_and(|n| n > 0), "no requests were sent: {report:#}");
    let acknowledged = &report["acknowledged"];
    let writes = acknowledged["cases_created"].as_u64().unwrap_or(0) + acknowledged["actions"].as_u64().unwrap_or(0);
    assert_eq!(report["read_back"]["writes"].as_u64(), Some(writes), "every acknowledged write was read back");
    assert!(out.status.success(), "bench load failed: {report:#}");
}

#[test]
fn bench_load_refuses_hosts_other_than_this_machine() {
    for url in ["http://192.0.2.1:8080", "http://example.com", "http://[::ffff:127.0.0.1]:8080"] {
        let out = tongban()
            .args(["bench", "load", "--url", url, "--clients", "1", "--seconds", "1"])
            .output()
            .expect("bench load runs");
        assert!(!out.status.success(), "{url} was not refused");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("refusing") || stderr.contains("only"), "{url}: unexpected message {stderr}");
    }
}
