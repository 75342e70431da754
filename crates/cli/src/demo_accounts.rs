//! Demo logins: one account per role in 发改委 (fgw), a delegation chain down to the window
//! (the clerk decides fgw's on-the-spot and same-day items there), and an enterprise
//! applicant. For demonstrations only: every account shares one printed
//! password, so never run `demo` against a production database.

use std::collections::BTreeSet;

use tongban_core::access::decides_at_window;
use tongban_core::delegation::GrantRequest;
use tongban_core::identity::{Power, Role};
use tongban_core::item::ItemCode;
use tongban_core::org::DepartmentCode;
use tongban_server::App;
use tongban_server::app::{bulk, public};
use tongban_server::auth::Principal;
use tongban_store::Account;

/// The password every demo account shares.
pub const DEMO_PASSWORD: &str = "tongban-demo-2026";

/// (login, role, display name, department).
pub const DEMO_ACCOUNTS: &[(&str, Role, &str, Option<&str>)] = &[
    ("admin", Role::Administrator, "系统管理员", None),
    ("leader", Role::CenterLeader, "中心领导 李明", None),
    ("supervisor", Role::Supervisor, "电子监察 赵敏", None),
    ("fgw.head", Role::DepartmentHead, "发改委主任 王建国", Some("fgw")),
    ("fgw.approver", Role::Approver, "审批处长 陈静", Some("fgw")),
    ("fgw.reviewer", Role::Reviewer, "审核员 刘洋", Some("fgw")),
    ("fgw.clerk", Role::WindowClerk, "窗口 张丽", Some("fgw")),
    ("applicant", Role::Applicant, "兰州示范科技有限公司", None),
];

/// The demo applicant's 统一社会信用代码 (check character valid, company invented).
pub const DEMO_CREDIT_CODE: &str = "91620100MA7LX0001Y";

/// Creates the demo accounts and grants unless they exist; returns whether it created them.
pub async fn ensure(app: &App, now: jiff::Timestamp) -> anyhow::Result<bool> {
    if bulk::account_exists(app, "admin").await? {
        return Ok(false);
    }
    let hash = tongban_server::auth::hash_password(DEMO_PASSWORD.into()).await?;
    let accounts: Vec<Account> = DEMO_ACCOUNTS
        .iter()
        .map(|(login, role, name, dept)| {
            let applicant = *role == Role::Applicant;
            Ok(Account {
                id: (*login).into(),
                kind: if applicant { "applicant" } else { "staff" }.into(),
                display_name: (*name).into(),
                role: *role,
                department: dept.map(DepartmentCode::parse).transpose()?,
                window: None,
                position: position_of(*role).map(Into::into),
                applicant_kind: applicant.then(|| "enterprise".into()),
                id_number: applicant.then(|| DEMO_CREDIT_CODE.into()),
                phone: applicant.then(|| "13800000000".into()),
                password_hash: hash.clone(),
                disabled: false,
                // The demo enterprise had its credit code checked at the 发改委 window.
                verified: applicant.then(|| tongban_store::Verified {
                    method: tongban_core::identity::VerificationMethod::Window,
                    at: now,
                    by: "fgw.clerk".into(),
                }),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let console = Principal::console();
    bulk::load_accounts(app, &console, accounts, now).await?;
    // 逐级授权: head → approver (all but sign) → reviewer (review); head → clerk (accept,
    // deliver); approver → clerk (approve, for the items decided at the window, below).
    let fgw = DepartmentCode::parse("fgw")?;
    let chain: [(&str, &str, &str, &[Power]); 3] = [
        ("g-demo-1", "fgw.head", "fgw.approver", &[Power::Accept, Power::Review, Power::Approve, Power::Deliver]),
        ("g-demo-2", "fgw.approver", "fgw.reviewer", &[Power::Review]),
        ("g-demo-3", "fgw.head", "fgw.clerk", &[Power::Accept, Power::Deliver]),
    ];
    for (id, grantor, grantee, powers) in chain {
        let request = GrantRequest {
            grantor: grantor.into(),
            grantee: grantee.into(),
            department: fgw.clone(),
            items: None,
            powers: powers.iter().copied().collect::<BTreeSet<_>>(),
            valid_from: now,
            valid_until: None,
        };
        bulk::load_grant(app, &console, id, request, now).await?;
    }
    // 后台向前台授权: the approver passes approve down to the window clerk for fgw's
    // on-the-spot and same-day items, which the clerk then decides at the window.
    let front_desk: BTreeSet<ItemCode> = match public::catalog_versions(app).await?.iter().map(|v| v.number).max() {
        Some(version) => public::items_in_version(app, version)
            .await?
            .into_iter()
            .filter(|i| i.department == fgw && decides_at_window(i.category))
            .map(|i| i.code)
            .collect(),
        None => BTreeSet::new(),
    };
    if !front_desk.is_empty() {
        let request = GrantRequest {
            grantor: "fgw.approver".into(),
            grantee: "fgw.clerk".into(),
            department: fgw,
            items: Some(front_desk),
            powers: BTreeSet::from([Power::Approve]),
            valid_from: now,
            valid_until: None,
        };
        bulk::load_grant(app, &console, "g-demo-4", request, now).await?;
    }
    Ok(true)
}

/// Where a demo login of `role` stands in 发改委's chain, so its grants record true levels:
/// the head is 主要领导, the approver (审批处长) a 处室负责人, reviewer and clerk 一般工作人员.
fn position_of(role: Role) -> Option<&'static str> {
    match role {
        Role::DepartmentHead => Some("head"),
        Role::Approver => Some("chief"),
        Role::Reviewer | Role::WindowClerk => Some("staff"),
        _ => None,
    }
}

/// The table of demo logins printed by `tongban demo`.
pub fn logins_table() -> String {
    let mut out = format!("demo logins (password for all: {DEMO_PASSWORD}):\n");
    for (login, role, name, _) in DEMO_ACCOUNTS {
        out.push_str(&format!("  {:<16} {:<16} {name}\n", role.as_str(), login));
    }
    out
}
