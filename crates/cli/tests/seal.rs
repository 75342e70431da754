//! `tongban seal init` / `keys` / `rotate` and `tongban document verify`'s exit codes:
//! 0 genuine, 1 altered or unknown key, 2 unreadable file.

use std::path::Path;
use std::process::{Command, Output};

use tongban_seal::{Keyring, Sheet};

fn tongban(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("TONGBAN_LOG", "warn")
        .output()
        .expect("tongban runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn sheet() -> Sheet {
    Sheet {
        title: "受理通知书".into(),
        number: "兰审批受〔2026〕8号".into(),
        addressee: Some("张三：".into()),
        paragraphs: vec!["你提出的申请，申请材料齐全、符合法定形式，本机关决定予以受理。".into()],
        date: "2026年12月7日".into(),
        verify_url: "https://zwfw.example.invalid/verify/8".into(),
    }
}

#[test]
fn seal_init_then_document_verify_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path();
    let o = tongban(data, &["seal", "init", "--bureau", "兰州新区行政审批服务局", "--prefix", "兰审批"]);
    assert!(o.status.success(), "{}", text(&o));
    let again = tongban(data, &["seal", "init", "--bureau", "兰州新区行政审批服务局", "--prefix", "兰审批"]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    let ring = Keyring::open(&data.join("seal")).expect("keyring");
    let sealed = ring.seal(&sheet()).expect("seal");
    let pdf = data.join("doc.pdf");
    std::fs::write(&pdf, &sealed.pdf).expect("write");
    let pdf_arg = pdf.to_str().expect("utf-8 path");

    let o = tongban(data, &["document", "verify", pdf_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("兰审批受〔2026〕8号") && text(&o).contains(&sealed.sm3), "{}", text(&o));
    let o = tongban(data, &["document", "verify", pdf_arg, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["key_id"], ring.current_key_id());

    // Against the public key file, as served at /verify/key, after a rotation.
    let o = tongban(data, &["seal", "rotate"]);
    assert!(o.status.success(), "{}", text(&o));
    let keys = tongban(data, &["seal", "keys"]);
    assert_eq!(String::from_utf8_lossy(&keys.stdout).matches("BEGIN PUBLIC KEY").count(), 2);
    let key_file = data.join("keys.pem");
    std::fs::write(&key_file, &keys.stdout).expect("write");
    let o = tongban(data, &["document", "verify", pdf_arg, "--key", key_file.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let mut altered = sealed.pdf.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    std::fs::write(&pdf, &altered).expect("write");
    let o = tongban(data, &["document", "verify", pdf_arg, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["error"], "altered");

    // A document from another bureau's keyring: unknown key, exit 1.
    let other = tempfile::tempdir().expect("tempdir");
    let stranger = tongban(other.path(), &["seal", "init", "--bureau", "某某局", "--prefix", "某"]);
    assert!(stranger.status.success());
    let foreign = Keyring::open(&other.path().join("seal")).expect("keyring").seal(&sheet()).expect("seal");
    std::fs::write(&pdf, &foreign.pdf).expect("write");
    let o = tongban(data, &["document", "verify", pdf_arg]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("unknown key"), "{}", text(&o));

    let o = tongban(data, &["document", "verify", data.join("missing.pdf").to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
