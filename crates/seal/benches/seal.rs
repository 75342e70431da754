//! `Keyring::seal` on a typical one-page decision: the server renders inside the
//! decision's transaction, so this is time a case's write lock is held.
//!
//! Run with `cargo bench -p tongban-seal --bench seal`.

use std::hint::black_box;

use criterion::{Criterion, criterion_main};
use tongban_seal::{Bureau, Keyring, Sheet};

fn decision() -> Sheet {
    Sheet {
        title: "准予行政许可决定书".into(),
        number: "兰审批许〔2026〕123号".into(),
        addressee: Some("兰州某某建材有限公司：".into()),
        paragraphs: vec![
            "你单位于2026年11月20日提出的食品经营许可申请（受理编号：LZXQ-2026-000123），本机关已依法受理。经审查，你单位的申请符合《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。".into(),
            "许可内容：食品经营许可（预包装食品销售，含冷藏冷冻食品）。有效期自2026年12月7日至2031年12月6日。".into(),
            "如不服本决定，可以在收到本决定书之日起六十日内向兰州新区管委会申请行政复议，或者在六个月内向兰州新区人民法院提起行政诉讼。".into(),
        ],
        date: "2026年12月7日".into(),
        verify_url: "https://zwfw.lzxq.gov.cn/verify/%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95123%E5%8F%B7".into(),
    }
}

fn seal(c: &mut Criterion) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let bureau = Bureau {
        name: "兰州新区行政审批服务局".into(),
        prefix: "兰审批".into(),
        review_body: "兰州新区管委会".into(),
        court: "兰州新区人民法院".into(),
    };
    let Ok(ring) = Keyring::init(&dir.path().join("seal"), bureau) else { return };
    let sheet = decision();
    c.bench_function("seal_one_page_decision", |b| b.iter(|| ring.seal(black_box(&sheet))));
    let Ok(sealed) = ring.seal(&sheet) else { return };
    let keys = ring.public_keys();
    c.bench_function("verify_one_page_decision", |b| b.iter(|| tongban_seal::verify(black_box(&sealed.pdf), &keys)));
}

// In a private module, so the undocumented `pub fn` the macro makes is not exported.
mod group {
    use criterion::criterion_group;
    criterion_group!(benches, super::seal);
}
criterion_main!(group::benches);
