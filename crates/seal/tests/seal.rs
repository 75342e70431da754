//! Sealing and verifying: layouts render extractable text, any changed byte fails, keys rotate.

use std::path::Path;
use std::process::Command;

use tongban_seal::{Bureau, Keyring, Sheet, VerifyError, parse_public_keys, public_keys_pem, verify};

fn bureau() -> Bureau {
    Bureau {
        name: "兰州新区行政审批服务局".into(),
        prefix: "兰审批".into(),
        review_body: "兰州新区管委会".into(),
        court: "兰州新区人民法院".into(),
    }
}

fn approval() -> Sheet {
    Sheet {
        title: "准予行政许可决定书".into(),
        number: "兰审批许〔2026〕123号".into(),
        addressee: Some("兰州某某建材有限公司：".into()),
        paragraphs: vec![
            "你单位于2026年11月20日提出的食品经营许可申请（受理编号：LZXQ-2026-000123），本机关已依法受理。经审查，你单位的申请符合《中华人民共和国行政许可法》第三十八条第一款及《食品经营许可和备案管理办法》的规定，本机关决定准予行政许可。".into(),
            "许可内容：食品经营许可（预包装食品销售，含冷藏冷冻食品）。有效期自2026年12月7日至2031年12月6日。".into(),
            "请于收到本决定之日起十个工作日内凭本决定书到政务服务中心综合窗口领取证照，或选择邮寄送达。".into(),
        ],
        date: "2026年12月7日".into(),
        verify_url: "https://zwfw.lzxq.gov.cn/verify/%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95123%E5%8F%B7".into(),
    }
}

fn keyring(dir: &Path) -> Keyring {
    Keyring::init(&dir.join("seal"), bureau()).expect("init")
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pages(pdf: &[u8]) -> usize {
    pdftotext(pdf).matches('\u{c}').count()
}

#[test]
fn a_sealed_decision_verifies_and_its_text_extracts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let sheet = approval();
    let sealed = ring.seal(&sheet).expect("seal");
    if let Ok(out) = std::env::var("SEAL_SAMPLE") {
        std::fs::write(out, &sealed.pdf).expect("write sample");
    }
    let verified = verify(&sealed.pdf, &ring.public_keys()).expect("verifies");
    assert_eq!(verified.number, sheet.number);
    assert_eq!(verified.sm3, sealed.sm3);
    assert_eq!(verified.key_id, ring.current_key_id());
    let text = squash(&pdftotext(&sealed.pdf));
    for expected in [&sheet.title, &sheet.number, &sheet.date, "兰州某某建材有限公司："] {
        assert!(text.contains(&squash(expected)), "{expected} not in {text}");
    }
    for p in &sheet.paragraphs {
        assert!(text.contains(&squash(p)), "paragraph {p} not in {text}");
    }
    assert_eq!(pages(&sealed.pdf), 1);
}

fn sheet(title: &str, number: &str, addressee: Option<&str>, paragraphs: &[&str]) -> Sheet {
    Sheet {
        title: title.into(),
        number: number.into(),
        addressee: addressee.map(Into::into),
        paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
        date: "2026年12月7日".into(),
        verify_url: format!("https://zwfw.example.invalid/verify/{number}"),
    }
}

#[test]
fn every_kind_of_document_renders_with_extractable_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let sheets = [
        sheet(
            "受理通知书",
            "兰审批受〔2026〕1号",
            Some("张三："),
            &["你（单位）提出的申请，经审查，申请材料齐全、符合法定形式，本机关决定予以受理。"],
        ),
        sheet(
            "不予受理通知书",
            "兰审批不受〔2026〕2号",
            Some("李四："),
            &[
                "你提出的申请事项依法不需要取得行政许可。",
                "如不服本决定，可以在收到本通知书之日起六十日内向兰州新区管委会申请行政复议，或者在六个月内向兰州新区人民法院提起行政诉讼。",
            ],
        ),
        sheet(
            "补正材料告知书",
            "兰审批补〔2026〕3号",
            None,
            &["你提交的申请材料不齐全，请于五个工作日内补正以下材料：1. 营业执照副本复印件；2. 法定代表人身份证明。"],
        ),
        sheet(
            "不予行政许可决定书",
            "兰审批不许〔2026〕4号",
            Some("王五："),
            &["经审查，你的申请不符合法定条件，本机关决定不予行政许可。理由如下：经营场所与申报地址不符。"],
        ),
        sheet(
            "营业执照",
            "兰审批证〔2026〕5号",
            Some("兰州某某商贸有限公司"),
            &["统一社会信用代码：91620100MA7XXXXX1Y", "经营范围：日用百货、五金交电销售。"],
        ),
    ];
    for s in &sheets {
        let sealed = ring.seal(s).expect("seal");
        verify(&sealed.pdf, &ring.public_keys()).expect("verifies");
        let text = squash(&pdftotext(&sealed.pdf));
        for expected in [&s.title, &s.number, &s.date] {
            assert!(text.contains(&squash(expected)), "{expected} not in {text}");
        }
        if let Some(a) = &s.addressee {
            assert!(text.contains(&squash(a)), "{a} not in {text}");
        }
        for p in &s.paragraphs {
            assert!(text.contains(&squash(p)), "paragraph {p} not in {text}");
        }
        assert!(text.contains(&squash(&ring.bureau().name)));
    }
}

#[test]
fn a_long_body_spills_onto_numbered_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let long = "本机关依据《中华人民共和国行政许可法》的规定，对你单位提交的申请材料进行了审查，现将审查意见告知如下，请认真阅读并按要求办理。".repeat(3);
    let paragraphs: Vec<&str> = std::iter::repeat_n(long.as_str(), 8).collect();
    let s = sheet("准予行政许可决定书", "兰审批许〔2026〕9号", Some("张三："), &paragraphs);
    let sealed = ring.seal(&s).expect("seal");
    if let Ok(out) = std::env::var("SEAL_SAMPLE_LONG") {
        std::fs::write(out, &sealed.pdf).expect("write sample");
    }
    assert!(pages(&sealed.pdf) >= 2);
    let text = pdftotext(&sealed.pdf);
    assert!(squash(&text).contains("第1页共"), "{text}");
    assert!(squash(&text).contains(&squash(&long)));
    assert!(squash(&text).contains(&squash(&s.date)));
    verify(&sealed.pdf, &ring.public_keys()).expect("verifies");
}

#[test]
fn flipping_any_byte_fails_verification() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let sealed = ring.seal(&approval()).expect("seal");
    let keys = ring.public_keys();
    let trailer_start = sealed.pdf.len() - 300;
    let positions = (0..trailer_start).step_by(211).chain(trailer_start..sealed.pdf.len());
    for at in positions {
        let mut pdf = sealed.pdf.clone();
        pdf[at] ^= 0x01;
        assert!(verify(&pdf, &keys).is_err(), "flipping byte {at} of {} still verifies", pdf.len());
    }
    // Not just any error: a changed body is reported as altered.
    let mut pdf = sealed.pdf.clone();
    pdf[1000] ^= 0x20;
    assert_eq!(verify(&pdf, &keys), Err(VerifyError::Altered));
    // Case of a percent escape in the 文号 is a changed byte too.
    let text = String::from_utf8_lossy(&sealed.pdf).replacen("number=%E5", "number=%e5", 1);
    assert!(verify(text.as_bytes(), &keys).is_err());
}

#[test]
fn a_pdf_without_the_trailer_is_not_sealed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let sealed = ring.seal(&approval()).expect("seal");
    let keys = ring.public_keys();
    let cut = sealed.pdf.windows(13).rposition(|w| w == b"%TongbanSeal ").expect("trailer");
    assert_eq!(verify(&sealed.pdf[..cut], &keys), Err(VerifyError::NotSealed));
    assert_eq!(verify(b"", &keys), Err(VerifyError::NotSealed));
    assert_eq!(verify(b"%PDF-1.7\n%%EOF\n", &keys), Err(VerifyError::NotSealed));
}

#[test]
fn documents_sealed_with_a_retired_key_still_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ring = keyring(dir.path());
    let old = ring.current_key_id().to_string();
    let before = ring.seal(&approval()).expect("seal");
    let new = ring.rotate().expect("rotate");
    assert_ne!(old, new);
    assert_eq!(ring.current_key_id(), new);
    let after = ring.seal(&approval()).expect("seal");
    assert_eq!(after.key_id, new);

    let reopened = Keyring::open(&dir.path().join("seal")).expect("open");
    let keys = reopened.public_keys();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().any(|k| k.id == old && k.retired_at.is_some()));
    assert!(keys.iter().any(|k| k.id == new && k.retired_at.is_none()));
    assert_eq!(verify(&before.pdf, &keys).expect("old document").key_id, old);
    assert_eq!(verify(&after.pdf, &keys).expect("new document").key_id, new);
}

#[test]
fn a_key_from_another_keyring_is_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let other = tempfile::tempdir().expect("tempdir");
    let stranger = keyring(other.path());
    let sealed = stranger.seal(&approval()).expect("seal");
    assert_eq!(
        verify(&sealed.pdf, &ring.public_keys()),
        Err(VerifyError::UnknownKey(stranger.current_key_id().to_string()))
    );
    // A key list claiming the stranger's id but holding our key: the signature fails.
    let mut forged = ring.public_keys();
    forged[0].id = stranger.current_key_id().to_string();
    assert_eq!(verify(&sealed.pdf, &forged), Err(VerifyError::BadSignature));
}

#[test]
fn public_keys_round_trip_through_pem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ring = keyring(dir.path());
    ring.rotate().expect("rotate");
    let keys = ring.public_keys();
    let text = public_keys_pem(&keys);
    assert_eq!(text.matches("-----BEGIN PUBLIC KEY-----").count(), 2);
    assert!(text.starts_with(&format!("# key {}", keys[0].id)));
    assert_eq!(parse_public_keys(&text).expect("parses"), keys);
    let sealed = ring.seal(&approval()).expect("seal");
    verify(&sealed.pdf, &parse_public_keys(&text).expect("parses")).expect("verifies against the file");
    // A comment naming another key is refused; garbage is refused.
    let lying = text.replacen(&keys[0].id, "0000000000000000", 1);
    assert!(parse_public_keys(&lying).is_err());
    assert!(parse_public_keys("hello").is_err());
    assert!(parse_public_keys("").is_err());
}

#[test]
fn characters_outside_the_font_do_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    // 𪛖 (U+2A6D6) is outside GBK; the emoji and the control characters have no glyph.
    let s =
        sheet("准予行政许可决定书", "兰审批许〔2026〕7号", Some("𪛖先生😀："), &["姓名：𪛖\u{7}\n", "", "\u{200B}"]);
    let sealed = ring.seal(&s).expect("seal");
    verify(&sealed.pdf, &ring.public_keys()).expect("verifies");
}

#[test]
fn sealing_is_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let a = ring.seal(&approval()).expect("seal");
    let b = ring.seal(&approval()).expect("seal");
    assert_eq!(a, b);
    let reopened = Keyring::open(&dir.path().join("seal")).expect("open");
    assert_eq!(reopened.seal(&approval()).expect("seal"), a);
}

#[test]
fn init_refuses_an_existing_keyring_and_open_needs_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring = keyring(dir.path());
    let seal = dir.path().join("seal");
    assert!(Keyring::init(&seal, bureau()).is_err());
    assert_eq!(Keyring::open(&seal).expect("open").bureau(), &bureau());
    assert!(Keyring::open(&dir.path().join("nothing")).is_err());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key = seal.join("keys").join(format!("{}.key", ring.current_key_id()));
        let mode = std::fs::metadata(key).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
