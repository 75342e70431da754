//! Benchmarks of the case state machine: one case from submission to delivery — submit →
//! accept → two review steps → approve → deliver — through `Case::handle` and `Case::apply`
//! with the built-in working calendar (acceptance computes the deadline), and the replay of
//! that history from its events.
//!
//! Run with `cargo bench -p tongban-core --bench case`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use jiff::Timestamp;
use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::{
    Applicant, ApplicantKind, Case, CaseCommand, CaseEvent, CaseNumber, CaseState, Context, DeliveryMethod, Submission,
};
use tongban_core::division::DivisionCode;
use tongban_core::item::{Category, Channel, ItemCode, ItemKind, Material, MaterialForm, ServiceItem, TimeLimit};
use tongban_core::org::DepartmentCode;

fn item() -> ServiceItem {
    ServiceItem {
        code: ItemCode::parse("620100-FGW-001").expect("valid code"),
        name: "企业投资项目备案".into(),
        department: DepartmentCode::parse("fgw").expect("valid code"),
        division: DivisionCode::parse("620100").expect("valid code"),
        kind: ItemKind::Filing,
        category: Category::TimeLimited,
        legal_limit: Some(TimeLimit::parse("legal_limit", "20d").expect("valid limit")),
        promised_limit: Some(TimeLimit::parse("promised_limit", "5d").expect("valid limit")),
        materials: vec![
            Material { name: "项目备案申请表".into(), required: true, form: MaterialForm::Original },
            Material { name: "营业执照".into(), required: true, form: MaterialForm::Copy },
        ],
        fees: vec![],
        legal_basis: "《企业投资项目核准和备案管理条例》".into(),
        channels: vec![Channel::Window, Channel::Online],
        sites: Vec::new(),
        conditions: String::new(),
        steps: Vec::new(),
        contact: String::new(),
        licence: None,
    }
}

fn submission() -> Submission {
    Submission {
        applicant: Applicant {
            kind: ApplicantKind::Enterprise,
            name: "兰州示范科技有限公司".into(),
            id_number: "91620100MA7LX0001Y".into(),
            phone: None,
        },
        channel: Channel::Online,
        materials: vec!["项目备案申请表".into(), "营业执照".into()],
        owner: "hall.online".into(),
        priority: false,
        submitter: None,
    }
}

fn steps() -> Vec<CaseCommand> {
    vec![
        CaseCommand::Accept,
        CaseCommand::CompleteStep { step: "审查甲".into(), note: String::new() },
        CaseCommand::CompleteStep { step: "审查乙".into(), note: String::new() },
        CaseCommand::Approve { note: "准予".into() },
        CaseCommand::Deliver { method: DeliveryMethod::Electronic },
    ]
}

/// Runs one case through its life; returns it delivered, with the events it produced.
fn lifecycle(
    item: &ServiceItem,
    calendar: &WorkingCalendar,
    steps: &[CaseCommand],
    now: Timestamp,
) -> (Case, Vec<CaseEvent>) {
    let number = CaseNumber::new(&item.division, 2026, 1);
    let (mut case, first) = Case::submit(number, item, 1, submission(), now).expect("a valid submission");
    let mut log = vec![first];
    for cmd in steps {
        let ctx = Context { now, calendar, item, actor: "bench" };
        for event in case.handle(cmd, &ctx).expect("an allowed step") {
            case.apply(&event, now);
            log.push(event);
        }
    }
    (case, log)
}

fn case_benches(c: &mut Criterion) {
    let (item, calendar, steps) = (item(), WorkingCalendar::builtin(), steps());
    let now: Timestamp = "2026-03-02T10:15+08:00".parse().expect("valid timestamp");
    let (delivered, log) = lifecycle(&item, &calendar, &steps, now);
    assert_eq!(delivered.state, CaseState::Delivered);

    let mut group = c.benchmark_group("case");
    group.throughput(Throughput::Elements(1));
    group.bench_function("submit_to_deliver", |b| {
        b.iter(|| lifecycle(black_box(&item), &calendar, black_box(&steps), black_box(now)))
    });
    group.bench_function("accept_with_deadline", |b| {
        let (submitted, _) =
            Case::submit(delivered.number.clone(), &item, 1, submission(), now).expect("a valid submission");
        let ctx = Context { now, calendar: &calendar, item: &item, actor: "bench" };
        b.iter(|| black_box(&submitted).handle(black_box(&CaseCommand::Accept), &ctx))
    });
    group.bench_function("replay_6_events", |b| {
        b.iter(|| Case::replay(delivered.number.clone(), black_box(&log).iter().map(|e| (e, now))))
    });
    group.finish();
}

// In a private module, so the undocumented `pub fn` the macro makes is not exported.
mod group {
    use criterion::criterion_group;
    criterion_group!(benches, super::case_benches);
}
criterion_main!(group::benches);
