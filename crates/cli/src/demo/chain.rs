//! The demo's people at work: a login for every member of staff of the directory, and the
//! delegation chain (逐级授权) in every department — head (主要领导) → deputy (分管领导) →
//! division chief (处室负责人) over all of the department's items, and the chief → each
//! window clerk (一般工作人员) for receiving, reviewing and delivering, and for deciding the
//! on-the-spot and same-day items at the window (后台向前台授权). So every decision the demo
//! simulates is taken under a chain that exists, and all four levels appear.

use std::collections::BTreeSet;

use tongban_core::access::decides_at_window;
use tongban_core::delegation::{Delegations, GrantRequest};
use tongban_core::identity::{Power, Role};
use tongban_core::item::{ItemCode, ServiceItem};
use tongban_core::org::{Position, Staff};
use tongban_server::App;
use tongban_server::app::bulk;
use tongban_server::auth::Principal;
use tongban_store::Account;

use super::org::Org;

/// The role a member of staff logs in with, by their place in the chain: heads are the
/// roots of their department's chain, deputies and chiefs approve, clerks at a window
/// receive, others review.
fn role_of(staff: &Staff) -> Role {
    match staff.position {
        Position::Head => Role::DepartmentHead,
        Position::Deputy | Position::Chief => Role::Approver,
        Position::Staff if staff.window.is_some() => Role::WindowClerk,
        Position::Staff => Role::Reviewer,
    }
}

/// One staff account per member of the directory, sharing the demo password (`hash`).
pub(super) fn accounts(org: &Org, hash: &str) -> Vec<Account> {
    org.staff
        .iter()
        .map(|s| Account {
            id: s.id.to_string(),
            kind: "staff".into(),
            display_name: s.name.clone(),
            role: role_of(s),
            department: Some(s.department.clone()),
            window: s.window.as_ref().map(ToString::to_string),
            position: Some(s.position.as_str().into()),
            applicant_kind: None,
            id_number: None,
            phone: None,
            password_hash: hash.to_owned(),
            disabled: false,
            verified: None,
        })
        .collect()
}

/// The grants of every department, down the chain, in the order they must be given (a
/// grantor's own grant first).
pub(super) fn requests(org: &Org, items: &[ServiceItem], from: jiff::Timestamp) -> Vec<(String, GrantRequest)> {
    let back_office = [Power::Accept, Power::Review, Power::Approve, Power::Deliver];
    let mut out = Vec::new();
    for (department, team) in org.departments.iter().zip(&org.teams) {
        let code = department.code.as_str();
        let request =
            |grantor: &str, grantee: &str, items: Option<BTreeSet<ItemCode>>, powers: &[Power]| GrantRequest {
                grantor: grantor.to_owned(),
                grantee: grantee.to_owned(),
                department: department.code.clone(),
                items,
                powers: powers.iter().copied().collect(),
                valid_from: from,
                valid_until: None,
            };
        out.push((format!("g-{code}-deputy"), request(&team.head, &team.deputy, None, &back_office)));
        out.push((format!("g-{code}-chief"), request(&team.deputy, &team.chief, None, &back_office)));
        let front_desk: BTreeSet<ItemCode> = items
            .iter()
            .filter(|i| i.department == department.code && decides_at_window(i.category))
            .map(|i| i.code.clone())
            .collect();
        for (n, clerk) in team.clerks.iter().enumerate() {
            let everyday = [Power::Accept, Power::Review, Power::Deliver];
            out.push((format!("g-{code}-clerk{}", n + 1), request(&team.chief, clerk, None, &everyday)));
            if !front_desk.is_empty() {
                let id = format!("g-{code}-desk{}", n + 1);
                out.push((id, request(&team.chief, clerk, Some(front_desk.clone()), &[Power::Approve])));
            }
        }
    }
    out
}

/// Stores the staff accounts and the chains as they were on `from` (before the first demo
/// case), and answers the book of grants the simulated decisions are taken under.
pub(super) async fn load(
    app: &App,
    org: &Org,
    items: &[ServiceItem],
    from: jiff::Timestamp,
) -> anyhow::Result<Delegations> {
    let console = Principal::console();
    let hash = tongban_server::auth::hash_password(crate::demo_accounts::DEMO_PASSWORD.into()).await?;
    bulk::load_accounts(app, &console, accounts(org, &hash), from).await?;
    let grants = bulk::load_grants(app, &console, requests(org, items, from), from).await?;
    let roots = org.departments.iter().zip(&org.teams).map(|(d, t)| (t.head.clone(), d.code.clone()));
    Ok(Delegations::new(grants, roots))
}
