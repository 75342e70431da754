//! Delegation grants (逐级授权): giving powers one holds to another account, shared by
//! `POST /api/v1/grants` and the grant form.

use std::collections::BTreeSet;

use tongban_core::delegation::{Delegations, Grant, GrantRequest, Levels};
use tongban_core::identity::{Power, Role};
use tongban_core::item::ItemCode;
use tongban_core::org::{DepartmentCode, Position};
use tongban_store::{append_audit, insert_grant};

use super::authorize;
use crate::App;
use crate::AppError;
use crate::actor::Principal;
use crate::credentials::random_hex;
use tongban_core::access::Action;

/// A new grant from the caller to someone else, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewGrant {
    /// The receiving account.
    pub grantee: String,
    /// Department code.
    pub department: String,
    /// Item codes; none for all of the department's items.
    pub items: Option<Vec<String>>,
    /// Powers: accept, review, approve, sign, deliver.
    pub powers: Vec<String>,
    /// Until (RFC 3339); none for until revoked.
    pub valid_until: Option<String>,
}

/// Delegates powers the caller holds (never more) to another account. Invalid fields come
/// back as `Invalid` naming them; more than the caller holds is `NoAuthority`.
pub async fn create_grant(state: &App, principal: &Principal, req: NewGrant) -> Result<Grant, AppError> {
    authorize(principal, Action::Delegate)?;
    let account = principal.require()?.clone();
    let mut errors = Vec::new();
    let department =
        DepartmentCode::parse(&req.department).map_err(|e| errors.push(("department".into(), e.to_string()))).ok();
    let items: Option<BTreeSet<ItemCode>> = req.items.map(|list| {
        list.iter()
            .filter_map(|i| ItemCode::parse(i).map_err(|e| errors.push(("items".into(), e.to_string()))).ok())
            .collect()
    });
    let powers: BTreeSet<Power> = req
        .powers
        .iter()
        .filter_map(|p| {
            Power::parse(p).or_else(|| {
                errors.push(("powers".into(), format!("unknown power {p:?}")));
                None
            })
        })
        .collect();
    let valid_until = req.valid_until.as_deref().and_then(|t| {
        t.parse::<jiff::Timestamp>().map_err(|e| errors.push(("valid_until".into(), e.to_string()))).ok()
    });
    if state.store.account(&req.grantee).await?.is_none() {
        errors.push(("grantee".into(), format!("no account {:?}", req.grantee)));
    }
    let Some(department) = department.filter(|_| errors.is_empty()) else { return Err(AppError::Invalid(errors)) };
    let now = state.now();
    let request = GrantRequest {
        grantor: account.id.clone(),
        grantee: req.grantee,
        department,
        items,
        powers,
        valid_from: now,
        valid_until,
    };
    let grant = checked_grant(state, format!("g-{}", random_hex(8)?), request, now).await?;
    let g = grant.clone();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                insert_grant(c, &g, now).await?;
                let detail = serde_json::json!({ "grantee": g.grantee, "powers": g.powers, "items": g.items, "parent": g.parent, "levels": g.levels }).to_string();
                append_audit(c, now, &g.grantor, "grant.create", &g.id, &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(grant)
}

/// Grant `id` as `request` asks, checked by core against the grants in force and between
/// the parties' levels: beyond the grantor's own authority is [`AppError::NoAuthority`], any
/// other broken rule (a grant up the chain among them) a bad `grant`.
pub(crate) async fn checked_grant(
    state: &App,
    id: String,
    request: GrantRequest,
    now: jiff::Timestamp,
) -> Result<Grant, AppError> {
    grant_in(state, &state.store.delegations().await?, id, request, now).await
}

/// [`checked_grant`] against the grants of `book` rather than those stored, for a batch
/// whose earlier grants are not stored yet.
pub(crate) async fn grant_in(
    state: &App,
    book: &Delegations,
    id: String,
    request: GrantRequest,
    now: jiff::Timestamp,
) -> Result<Grant, AppError> {
    let levels = levels_of(state, &request.grantor, &request.grantee, &request.department).await?;
    book.grant_between(id, request, levels, now).map_err(|e| match e {
        tongban_core::delegation::DelegationError::Exceeds { .. } => AppError::NoAuthority(e.to_string()),
        other => AppError::Invalid(vec![("grant".into(), other.to_string())]),
    })
}

/// Where grantor and grantee stand now: their accounts' positions; a grantor with none who
/// heads the department gives as its head (主要领导), being its root holder.
async fn levels_of(state: &App, grantor: &str, grantee: &str, department: &DepartmentCode) -> Result<Levels, AppError> {
    let position = |a: &tongban_store::Account| a.position.as_deref().and_then(Position::parse);
    let from = state.store.account(grantor).await?;
    let to = state.store.account(grantee).await?;
    let grantor = from.as_ref().and_then(|a| {
        position(a).or_else(|| {
            (a.role == Role::DepartmentHead && a.department.as_ref() == Some(department)).then_some(Position::Head)
        })
    });
    Ok(Levels { grantor, grantee: to.as_ref().and_then(position) })
}
