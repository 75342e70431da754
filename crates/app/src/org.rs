//! Who works where, for the staff's pages: the staff directory and accounts, the
//! delegation grants, each item's first responsible person (审批第一责任人), and the cases
//! offered to a member of staff.

use tongban_core::access::Action;
use tongban_core::case::Case;
use tongban_core::delegation::Delegations;
use tongban_core::identity::Role;
use tongban_core::item::ItemCode;
use tongban_core::org::Staff;
use tongban_store::Account;

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;

/// The organisation's staff, by id.
pub async fn staff_directory(state: &App, principal: &Principal) -> Result<Vec<Staff>, AppError> {
    authorize(principal, Action::ReadGrants)?;
    Ok(state.store.staff_directory().await?)
}

/// Every staff account.
pub async fn staff_accounts(state: &App, principal: &Principal) -> Result<Vec<Account>, AppError> {
    authorize(principal, Action::ReadGrants)?;
    Ok(state.store.staff_accounts().await?)
}

/// People by id, for showing names: the organisation's staff, then the staff accounts.
pub async fn people(state: &App, principal: &Principal) -> Result<std::collections::HashMap<String, String>, AppError> {
    let mut names: std::collections::HashMap<String, String> =
        staff_directory(state, principal).await?.into_iter().map(|s| (s.id.to_string(), s.name)).collect();
    for a in staff_accounts(state, principal).await? {
        names.entry(a.id).or_insert(a.display_name);
    }
    Ok(names)
}

/// Every delegation grant, revoked and expired ones included (for their history).
pub async fn delegations(state: &App, principal: &Principal) -> Result<Delegations, AppError> {
    authorize(principal, Action::ReadGrants)?;
    Ok(state.store.delegations().await?)
}

/// The cases being handed over to the principal, waiting for them to take them.
pub async fn cases_offered_to_me(state: &App, principal: &Principal) -> Result<Vec<Case>, AppError> {
    authorize(principal, Action::ReadCase)?;
    let me = principal.require()?;
    Ok(state.store.cases_offered_to(&me.id).await?)
}

/// Names `account` the first responsible person (审批第一责任人) of `item`: a department head
/// for their own department's items, an administrator for any; the person must be staff
/// of the item's department.
pub async fn set_first_responsible(
    state: &App,
    principal: &Principal,
    item: &ItemCode,
    account: &str,
) -> Result<(), AppError> {
    authorize(principal, Action::NameResponsible)?;
    let caller = principal.require()?.clone();
    let row = super::public::item(state, item)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("item {item} does not exist")))?;
    let department = row.item.department.clone();
    if caller.role == Role::DepartmentHead && caller.department.as_ref() != Some(&department) {
        return Err(AppError::Forbidden("another department's item".into()));
    }
    let person = state.store.account(account).await?;
    if person.as_ref().and_then(|p| p.department.as_ref()) != Some(&department) {
        return Err(AppError::Invalid(vec![("account".into(), format!("{account} is not staff of {department}"))]));
    }
    let (now, item, account) = (state.now(), row.item.code.to_string(), account.to_owned());
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::set_first_responsible(c, &item, &account).await?;
                let detail = serde_json::json!({ "account": account }).to_string();
                tongban_store::append_audit(c, now, &caller.id, "item.first_responsible", &item, &detail).await
            })
        })
        .await?;
    Ok(())
}
