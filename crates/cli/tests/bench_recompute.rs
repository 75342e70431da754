//! `tongban bench recompute` moves every seeded case's due time (no timing assertions).

#[test]
fn bench_recompute_moves_every_running_case() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tongban"))
        .env("TONGBAN_LOG", "warn")
        .args(["bench", "recompute", "--cases", "600", "--json"])
        .output()
        .expect("bench recompute runs");
    assert!(out.status.success(), "bench recompute failed: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["cases"], 600);
    assert_eq!(report["databases"][0]["database"], "sqlite");
    assert_eq!(report["databases"][0]["cases_recomputed"], 600, "{report:#}");
}
