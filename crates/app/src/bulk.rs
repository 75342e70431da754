//! Bulk loads of generated data — the demo center and the benchmarks' databases: values that
//! core has already built and checked (an organisation, a catalog, case histories played
//! through the case state machine, accounts, a delegation chain, projects), written in
//! batches as the console. A center's own data goes through the imports instead, which check
//! every row of a file.

use jiff::Timestamp;
use tongban_core::access::Action;
use tongban_core::case::{Case, CaseEvent};
use tongban_core::delegation::GrantRequest;
use tongban_core::division::{Division, DivisionCode};
use tongban_core::item::ServiceItem;
use tongban_core::org::{Department, Staff, Window};
use tongban_core::plan::ProjectRun;
use tongban_store::{Account, Consultation, ProjectRow};

use crate::{App, AppError, Principal, authorize};

/// Divisions (parents first), departments, windows and staff, as generated.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    /// 行政区划, parents before their children.
    pub divisions: Vec<Division>,
    /// Sites (办事地点), after the divisions they serve.
    pub sites: Vec<tongban_core::org::Site>,
    /// 部门.
    pub departments: Vec<Department>,
    /// 窗口.
    pub windows: Vec<Window>,
    /// 工作人员.
    pub staff: Vec<Staff>,
}

/// One step of a generated case history: an event, when, and who.
#[derive(Debug, Clone)]
pub struct HistoryStep {
    /// What happened.
    pub event: CaseEvent,
    /// When.
    pub at: Timestamp,
    /// The staff id who did it.
    pub actor: String,
}

/// A generated case's history, its first step `Submitted`.
#[derive(Debug, Clone)]
pub struct CaseHistory {
    /// Where the case is numbered.
    pub division: DivisionCode,
    /// Its steps, oldest first.
    pub steps: Vec<HistoryStep>,
}

/// A generated case history with the grant chain (root first) each of its decisions was
/// taken under, by the index of the decision's step; a plain [`CaseHistory`] records none.
#[derive(Debug, Clone)]
pub struct AuthorisedHistory {
    /// The history.
    pub history: CaseHistory,
    /// (step index, grant chain root first; empty for authority by office).
    pub authority: Vec<(usize, Vec<String>)>,
}

impl From<CaseHistory> for AuthorisedHistory {
    fn from(history: CaseHistory) -> Self {
        Self { history, authority: Vec::new() }
    }
}

/// A catalog version to publish: its label (e.g. 2026 年版), when, and its items.
#[derive(Debug, Clone)]
pub struct CatalogDraft {
    /// The version's label.
    pub label: String,
    /// When it was published.
    pub published_at: Timestamp,
    /// Its items, each already valid.
    pub items: Vec<ServiceItem>,
}

/// Stores an organisation and its catalog versions, oldest first (e.g. the version before a
/// reform, then the current one), in one transaction; answers the last version's number.
pub async fn load_organisation(
    state: &App,
    principal: &Principal,
    org: Organisation,
    catalogs: Vec<CatalogDraft>,
) -> Result<u32, AppError> {
    authorize(principal, Action::BulkLoad)?;
    if catalogs.is_empty() {
        return Err(AppError::Invalid(vec![("catalogs".into(), "at least one catalog version".into())]));
    }
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for d in &org.divisions {
                    tongban_store::insert_division(c, d).await?;
                }
                for s in &org.sites {
                    let record = tongban_core::org::import::Record::Site(s.clone());
                    tongban_store::put_record(c, &record, jiff::Timestamp::UNIX_EPOCH).await?;
                }
                for d in &org.departments {
                    tongban_store::insert_department(c, d).await?;
                }
                for w in &org.windows {
                    tongban_store::insert_window(c, w).await?;
                }
                for s in &org.staff {
                    tongban_store::insert_staff(c, s).await?;
                }
                let mut version = 0;
                for catalog in &catalogs {
                    version =
                        tongban_store::insert_catalog_version(c, &catalog.label, &catalog.items, catalog.published_at)
                            .await?;
                }
                Ok::<_, AppError>(version)
            })
        })
        .await
}

/// Stores case histories, `batch` cases a transaction, in the order given (so case numbers
/// follow it); each case is the replay of its events, each decision stored with the grant
/// chain it was taken under when the history records one. Answers the cases and events written.
pub async fn load_case_histories(
    state: &App,
    principal: &Principal,
    histories: Vec<impl Into<AuthorisedHistory>>,
    batch: usize,
) -> Result<(usize, usize), AppError> {
    authorize(principal, Action::BulkLoad)?;
    let (mut cases, mut events) = (0, 0);
    let mut rest = histories.into_iter().map(Into::into).peekable();
    while rest.peek().is_some() {
        let chunk: Vec<AuthorisedHistory> = rest.by_ref().take(batch.max(1)).collect();
        cases += chunk.len();
        events += chunk.iter().map(|h| h.history.steps.len()).sum::<usize>();
        state.store.write(move |c| Box::pin(async move { write_histories(c, &chunk).await })).await?;
    }
    // The histories went in without the concerns ledger: it is built again from what is
    // stored, decisions' recorded authority included.
    state
        .store
        .write(|c| Box::pin(async move { tongban_store::invalidate_concern_ledger(c).await.map_err(AppError::from) }))
        .await?;
    crate::ensure_concern_ledger(state).await?;
    Ok((cases, events))
}

async fn write_histories(conn: &mut tongban_store::Conn, histories: &[AuthorisedHistory]) -> Result<(), AppError> {
    for AuthorisedHistory { history, authority } in histories {
        let Some((first, rest)) = history.steps.split_first() else {
            continue;
        };
        let year = tongban_core::case::CaseNumber::year_of(first.at);
        let number = tongban_store::allocate_case_number(conn, &history.division, year).await?;
        let mut case = Case::replay(number, [(&first.event, first.at)])
            .ok_or_else(|| AppError::Internal("a generated history must start with its submission".into()))?;
        tongban_store::insert_case(conn, &case, &first.event, &first.actor).await?;
        for (i, step) in rest.iter().enumerate() {
            let chain = authority.iter().find(|(at, _)| *at == i + 1).map(|(_, chain)| chain.as_slice());
            let expected = case.version;
            case.apply(&step.event, step.at);
            tongban_store::append_events(
                conn,
                expected,
                &case,
                std::slice::from_ref(&step.event),
                &step.actor,
                step.at,
                chain,
            )
            .await?;
        }
    }
    Ok(())
}

/// Stores accounts (their password hashes made already), each with its `account.create`
/// audit entry.
pub async fn load_accounts(
    state: &App,
    principal: &Principal,
    accounts: Vec<Account>,
    now: Timestamp,
) -> Result<(), AppError> {
    authorize(principal, Action::BulkLoad)?;
    let by = principal.require()?.id.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for a in &accounts {
                    tongban_store::insert_account(c, a, now).await?;
                    let detail = serde_json::json!({ "role": a.role.as_str(), "via": "bulk" }).to_string();
                    tongban_store::append_audit(c, now, &by, "account.create", &a.id, &detail).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Whether an account of that login exists.
pub async fn account_exists(state: &App, login: &str) -> Result<bool, AppError> {
    Ok(state.store.account(login).await?.is_some())
}

/// Gives grant `id` as asked, checked by core against the grants in force (a grant never
/// exceeds its grantor's authority), audited as `grant.create` by its grantor.
pub async fn load_grant(
    state: &App,
    principal: &Principal,
    id: &str,
    request: GrantRequest,
    now: Timestamp,
) -> Result<(), AppError> {
    authorize(principal, Action::BulkLoad)?;
    let grant = crate::grants::checked_grant(state, id.into(), request, now).await?;
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                tongban_store::insert_grant(c, &grant, now).await?;
                tongban_store::append_audit(c, now, &grant.grantor, "grant.create", &grant.id, "{\"via\":\"bulk\"}")
                    .await?;
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Gives many grants in the order given, each checked by core against the grants in force
/// and those given before it in the batch, and stores them in one transaction, each audited
/// as `grant.create` by its grantor. Answers the grants as stored (parents and levels set).
pub async fn load_grants(
    state: &App,
    principal: &Principal,
    requests: Vec<(String, GrantRequest)>,
    now: Timestamp,
) -> Result<Vec<tongban_core::delegation::Grant>, AppError> {
    authorize(principal, Action::BulkLoad)?;
    let mut book = state.store.delegations().await?;
    let mut grants = Vec::with_capacity(requests.len());
    for (id, request) in requests {
        let grant = crate::grants::grant_in(state, &book, id, request, now).await?;
        book.insert(grant.clone());
        grants.push(grant);
    }
    let stored = grants.clone();
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for grant in &stored {
                    tongban_store::insert_grant(c, grant, now).await?;
                    tongban_store::append_audit(
                        c,
                        now,
                        &grant.grantor,
                        "grant.create",
                        &grant.id,
                        "{\"via\":\"bulk\"}",
                    )
                    .await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(grants)
}

/// Stores generated accountability records (问责) as they went: each opened as the
/// supervision worker opens one, then written in the state it reached (answered by the
/// department, closed by a supervisor), as the supervision pages write it.
pub async fn load_accountability(
    state: &App,
    principal: &Principal,
    records: Vec<tongban_store::AccountabilityRow>,
) -> Result<(), AppError> {
    authorize(principal, Action::BulkLoad)?;
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for r in &records {
                    let opened = tongban_store::AccountabilityRow {
                        state: tongban_core::supervision::AccountabilityState::Open,
                        answer: None,
                        answered_by: None,
                        answered_at: None,
                        conclusion: None,
                        closed_by: None,
                        closed_at: None,
                        ..r.clone()
                    };
                    tongban_store::insert_accountability(c, &opened).await?;
                    tongban_store::update_accountability(c, r).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Whether the project library holds any project.
pub async fn projects_exist(state: &App) -> Result<bool, AppError> {
    Ok(!state.store.projects(None).await?.is_empty())
}

/// Stores projects, their consultation records and their runs in one transaction.
pub async fn load_projects(
    state: &App,
    principal: &Principal,
    projects: Vec<ProjectRow>,
    consultations: Vec<Consultation>,
    runs: Vec<ProjectRun>,
    now: Timestamp,
) -> Result<(), AppError> {
    authorize(principal, Action::BulkLoad)?;
    state
        .store
        .write(move |c| {
            Box::pin(async move {
                for row in &projects {
                    tongban_store::insert_project(c, row).await?;
                }
                for visit in &consultations {
                    tongban_store::insert_consultation(c, visit, now).await?;
                }
                for run in &runs {
                    tongban_store::insert_project_run(c, run, now).await?;
                }
                Ok::<_, AppError>(())
            })
        })
        .await
}

/// Cases and events stored.
pub async fn counts(state: &App) -> Result<(u64, u64), AppError> {
    Ok(state.store.counts().await?)
}
