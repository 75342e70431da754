//! Documents (文书): the notices and decisions a case's events issue, sealed in the same
//! transaction as the event ([`prepare`] and [`before_write`] before the write, [`issue`]
//! inside it), and what
//! anyone may ask of them: a case's documents, their PDFs, the public verification of a
//! 文号 or an uploaded file, revocation, the public keys and the templates.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use tongban_core::access::Action;
use tongban_core::case::{Case, CaseEvent, CaseNumber};
use tongban_core::delegation::Delegations;
use tongban_core::document::{
    DocumentKind, DocumentNumber, DocumentStatus, Fields, RevokeError, Template, check_revoke, date_zh, kinds_for,
    mask_holder,
};
use tongban_core::item::{ServiceItem, TimeLimit};
use tongban_core::org::Position;
use tongban_seal::{Keyring, Sheet};
use tongban_store::{Conn, DocumentRow, RevocationRow, append_audit};

use crate::{App, AppError, Principal, authorize};

/// The base of verification links when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

/// The statutory basis printed on a 不予受理通知书 (the refusal event names only its reason).
const NON_ACCEPTANCE_BASIS: &str = "《中华人民共和国行政许可法》第三十二条第一款";

/// A document of a case, as its page and the API list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    /// 文号.
    pub number: String,
    /// Kind.
    pub kind: DocumentKind,
    /// The case.
    pub case_number: String,
    /// The case version (event) that issued it.
    pub event_seq: u32,
    /// When it was issued.
    pub issued_at: jiff::Timestamp,
    /// 有效 / 已撤销 / 已注销.
    pub status: DocumentStatus,
    /// SM3 of the signed bytes (hex).
    pub sm3: String,
    /// The key that signed it.
    pub key_id: String,
}

/// What the public verification page shows of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicDocument {
    /// 文号.
    pub number: String,
    /// Kind.
    pub kind: DocumentKind,
    /// The date it was issued, as printed (2026年12月7日).
    pub issued_on: String,
    /// The holder's name, masked.
    pub holder_masked: String,
    /// 有效 / 已撤销 / 已注销.
    pub status: DocumentStatus,
    /// Why it was revoked or cancelled.
    pub status_reason: Option<String>,
    /// When it was revoked or cancelled.
    pub status_at: Option<jiff::Timestamp>,
    /// SM3 of the signed bytes (hex).
    pub sm3: String,
    /// The bureau that issued it.
    pub issuer: String,
}

/// What an uploaded file is, checked against a 文号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum UploadCheck {
    /// The very document, unaltered.
    Genuine,
    /// Sealed once, but changed since (or signed by no key of ours).
    Altered,
    /// A genuine sealed document, but another one.
    NotThisDocument {
        /// The 文号 it carries.
        number: String,
    },
    /// No seal at all.
    NotSealed,
}

/// A document ready to be numbered and sealed: everything but its 文号, built before the
/// write so the transaction only numbers, seals and inserts.
#[derive(Debug, Clone)]
pub struct Pending {
    kind: DocumentKind,
    event_seq: u32,
    template: (DocumentKind, u32),
    title: String,
    addressee: Option<String>,
    paragraphs: Vec<String>,
    date: String,
    holder: String,
    fields: Fields,
    chain: Vec<String>,
}

/// The documents `events` (the first being case version `first_seq`) issue, rendered; none
/// when the app has no seal.
/// `chain` is the decision's grant chain (root first) and the grant book it is read in.
#[expect(clippy::too_many_arguments, reason = "the act's facts, each needed once")]
pub(crate) async fn prepare(
    state: &App,
    case: &Case,
    item: &ServiceItem,
    events: &[CaseEvent],
    first_seq: u32,
    actor: &str,
    (authority, delegations): (Option<&[String]>, Option<&Delegations>),
    now: jiff::Timestamp,
) -> Result<Vec<Pending>, AppError> {
    let Some(seal) = &state.seal else { return Ok(Vec::new()) };
    let wanted: Vec<(u32, &CaseEvent, DocumentKind)> = (first_seq..)
        .zip(events)
        .flat_map(|(seq, e)| kinds_for(e, item).into_iter().map(move |k| (seq, e, k)))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let templates = current_templates(state).await?;
    let (chain, chain_text) = chain_of(state, actor, authority, delegations).await?;
    let department = state
        .store
        .department_names()
        .await?
        .into_iter()
        .find(|(code, _)| code == item.department.as_str())
        .map_or_else(|| item.department.to_string(), |(_, name)| name);
    let bureau = seal.bureau();
    let mut base = Fields::new();
    let mut put = |k: &str, v: String| base.insert(k.to_owned(), v);
    put("case_number", case.number.to_string());
    put("applicant", case.applicant.name.clone());
    put("applicant_id", tongban_core::identity::mask_id_number(&case.applicant.id_number));
    put("item_name", item.name.clone());
    put("item_code", item.code.to_string());
    put("department", department);
    put("item_legal_basis", item.legal_basis.clone());
    put("submitted_on", date_zh(case.submitted_at));
    put("accepted_on", case.accepted_at.map(date_zh).unwrap_or_default());
    put("due_on", case.due_at.map(date_zh).unwrap_or_default());
    put("promised_limit", promised(item.promised_limit));
    put("materials", case.materials.join("、"));
    put("chain", chain_text);
    put("bureau", bureau.name.clone());
    put("review_body", bureau.review_body.clone());
    put("court", bureau.court.clone());
    put("date", date_zh(now));
    put("licence", item.licence.clone().unwrap_or_default());
    put("validity", "长期有效（依法撤销、注销的除外）".to_owned());
    let mut out = Vec::with_capacity(wanted.len());
    for (seq, event, kind) in wanted {
        let mut fields = base.clone();
        fields.extend(event_fields(event).into_iter().map(|(k, v)| (k.to_owned(), v)));
        let template = templates.get(&kind).cloned().unwrap_or_else(|| Template::builtin(kind));
        let title = match kind {
            DocumentKind::Licence => item.licence.clone().unwrap_or_else(|| kind.title_zh().to_owned()),
            _ => kind.title_zh().to_owned(),
        };
        out.push(Pending {
            kind,
            event_seq: seq,
            template: (template.kind, template.version),
            title,
            addressee: (kind != DocumentKind::Licence).then(|| format!("{}：", case.applicant.name)),
            paragraphs: template.render(&fields),
            date: date_zh(now),
            holder: case.applicant.name.clone(),
            fields,
            chain: chain.clone(),
        });
    }
    Ok(out)
}

/// The fields an event itself supplies (reasons, materials to correct, the decision's note).
fn event_fields(event: &CaseEvent) -> Vec<(&'static str, String)> {
    let or = |text: &str, default: &str| if text.trim().is_empty() { default.to_owned() } else { text.to_owned() };
    match event {
        CaseEvent::Rejected { reason } => {
            vec![("reason", reason.clone()), ("legal_basis", NON_ACCEPTANCE_BASIS.into())]
        }
        CaseEvent::CorrectionRequested { missing, note } => {
            vec![("missing", missing.join("、")), ("note", or(note, "无"))]
        }
        CaseEvent::Approved { note } => vec![("decision_note", or(note, "同意"))],
        CaseEvent::Denied { reason, legal_basis } => {
            vec![("reason", reason.clone()), ("legal_basis", legal_basis.clone()), ("decision_note", "不予许可".into())]
        }
        _ => Vec::new(),
    }
}

/// A promised limit in words.
fn promised(limit: Option<TimeLimit>) -> String {
    match limit {
        Some(TimeLimit::WorkingDays(n)) => format!("{n}个工作日"),
        Some(TimeLimit::WorkingHours(n)) => format!("{n}个工作小时"),
        None => "当日".into(),
    }
}

fn position_zh(p: Option<Position>) -> &'static str {
    match p {
        Some(Position::Head) => "主要领导",
        Some(Position::Deputy) => "分管领导",
        Some(Position::Chief) => "处室负责人",
        Some(Position::Staff) => "一般工作人员",
        None => "",
    }
}

/// Who stands behind the act — every login of its grant chain, root first, and whoever
/// acted — and the chain in words ("主要领导 张三 → 分管领导 李四 → 经办 王五").
async fn chain_of(
    state: &App,
    actor: &str,
    authority: Option<&[String]>,
    delegations: Option<&Delegations>,
) -> Result<(Vec<String>, String), AppError> {
    let mut links: Vec<(String, Option<Position>)> = Vec::new();
    if let (Some(ids), Some(book)) = (authority, delegations) {
        for grant in ids.iter().filter_map(|id| book.grant(id)) {
            if links.is_empty() {
                links.push((grant.grantor.clone(), grant.levels.grantor));
            }
            links.push((grant.grantee.clone(), grant.levels.grantee));
        }
    }
    let by_office = authority.is_some_and(<[String]>::is_empty);
    if links.last().is_none_or(|(login, _)| login != actor) {
        links.push((actor.to_owned(), None));
    }
    let mut names = HashMap::new();
    for (login, _) in &links {
        if !names.contains_key(login) {
            let name = state.store.account(login).await?.map_or_else(|| login.clone(), |a| a.display_name);
            names.insert(login.clone(), name);
        }
    }
    let last = links.len() - 1;
    let text = links
        .iter()
        .enumerate()
        .map(|(i, (login, level))| {
            let name = names.get(login).map_or(login.as_str(), String::as_str);
            let level = if i == last && level.is_none() { "经办" } else { position_zh(*level) };
            if level.is_empty() { name.to_owned() } else { format!("{level} {name}") }
        })
        .collect::<Vec<_>>()
        .join(" → ");
    let text = if by_office { format!("{text}（依职权）") } else { text };
    Ok((links.into_iter().map(|(login, _)| login).collect(), text))
}

/// The newest template of each kind: the administrator's latest save, else the built-in.
async fn current_templates(state: &App) -> Result<HashMap<DocumentKind, Template>, AppError> {
    let mut map: HashMap<DocumentKind, Template> = DocumentKind::ALL.map(|k| (k, Template::builtin(k))).into();
    for row in state.store.latest_document_templates().await? {
        map.insert(row.kind, Template { kind: row.kind, version: row.version, body: row.body });
    }
    Ok(map)
}

/// A document's verification link.
pub fn verify_url(base: &str, number: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), verify_path(number))
}

/// The path of a document's verification page (the 文号 percent-encoded): the one place the
/// printed QR code, the API and the pages take it from.
pub fn verify_path(number: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(number.as_bytes()).collect();
    format!("/verify/{encoded}")
}

/// A document numbered and sealed, ready to be registered with its event.
#[derive(Debug)]
pub struct SealedDocument {
    row: DocumentRow,
    pdf: Vec<u8>,
}

/// Numbers `p` as `seq` of its kind and year, and seals it.
fn number_and_seal(
    seal: &Keyring,
    base_url: &str,
    case_number: &str,
    p: &Pending,
    seq: u64,
    now: jiff::Timestamp,
) -> Result<SealedDocument, AppError> {
    let prefix = seal.bureau().prefix.clone();
    let year = CaseNumber::year_of(now);
    let number = DocumentNumber::format(&prefix, p.kind, year, seq);
    let sheet = Sheet {
        title: p.title.clone(),
        number: number.clone(),
        addressee: p.addressee.clone(),
        paragraphs: p.paragraphs.clone(),
        date: p.date.clone(),
        verify_url: verify_url(base_url, &number),
    };
    let sealed = seal.seal(&sheet).map_err(|e| AppError::Internal(format!("cannot seal {number}: {e}")))?;
    let row = DocumentRow {
        number,
        kind: p.kind,
        prefix,
        year,
        seq,
        case_number: case_number.to_owned(),
        event_seq: p.event_seq,
        template: p.template,
        issued_at: now,
        holder: p.holder.clone(),
        holder_masked: mask_holder(&p.holder),
        fields: serde_json::to_string(&p.fields).map_err(|e| AppError::Internal(e.to_string()))?,
        chain: p.chain.clone(),
        sm3: sealed.sm3,
        signature: sealed.signature,
        key_id: sealed.key_id,
    };
    Ok(SealedDocument { row, pdf: sealed.pdf })
}

/// The documents an act issues, as they go into its transaction.
#[derive(Debug)]
pub enum Issue {
    /// SQLite: numbered and sealed inside the act's transaction, where its single writer
    /// makes the counter gap-free.
    Pending(Vec<Pending>),
    /// PostgreSQL: numbered from a counter committed on its own (unique across servers; a
    /// failed act leaves a gap) and sealed before the transaction, so that concurrent acts
    /// seal side by side instead of one at a time behind the counter's row lock.
    Sealed(Vec<SealedDocument>),
}

/// Readies `pending` for the act's transaction (see [`Issue`]).
pub(crate) async fn before_write(
    state: &App,
    case_number: &CaseNumber,
    pending: Vec<Pending>,
    now: jiff::Timestamp,
) -> Result<Issue, AppError> {
    let Some(seal) = state.seal.clone() else { return Ok(Issue::Pending(Vec::new())) };
    if pending.is_empty() || state.store.backend() != tongban_store::Backend::Postgres {
        return Ok(Issue::Pending(pending));
    }
    let prefix = seal.bureau().prefix.clone();
    let year = CaseNumber::year_of(now);
    let kinds: Vec<DocumentKind> = pending.iter().map(|p| p.kind).collect();
    let seqs = state
        .store
        .write(move |conn| {
            Box::pin(async move {
                Ok::<_, AppError>(tongban_store::allocate_document_seqs(conn, &prefix, &kinds, year).await?)
            })
        })
        .await?;
    let (base_url, number) = (state.public_base_url.clone(), case_number.to_string());
    let sealed = tokio::task::spawn_blocking(move || {
        pending
            .iter()
            .zip(seqs)
            .map(|(p, seq)| number_and_seal(&seal, &base_url, &number, p, seq, now))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| AppError::Internal(format!("sealing stopped: {e}")))??;
    Ok(Issue::Sealed(sealed))
}

/// Registers the act's documents inside its transaction (numbering and sealing them first
/// when still pending); answers each document's 文号 and SM3 for the audit entry. A seal
/// that fails fails the whole act.
pub(crate) async fn issue(
    conn: &mut Conn,
    seal: Option<&Keyring>,
    base_url: &str,
    case_number: &str,
    documents: Issue,
    now: jiff::Timestamp,
) -> Result<Vec<serde_json::Value>, AppError> {
    let sealed = match (documents, seal) {
        (Issue::Sealed(sealed), _) => sealed,
        (Issue::Pending(_), None) => return Ok(Vec::new()),
        (Issue::Pending(pending), Some(seal)) => {
            let mut sealed = Vec::with_capacity(pending.len());
            for p in &pending {
                let year = CaseNumber::year_of(now);
                let seq = tongban_store::allocate_document_seq(conn, &seal.bureau().prefix, p.kind, year).await?;
                sealed.push(number_and_seal(seal, base_url, case_number, p, seq, now)?);
            }
            sealed
        }
    };
    let mut issued = Vec::with_capacity(sealed.len());
    for SealedDocument { row, pdf } in sealed {
        issued.push(serde_json::json!({ "number": row.number, "kind": row.kind.as_str(), "sm3": row.sm3 }));
        tongban_store::insert_document(conn, &row, pdf).await?;
    }
    Ok(issued)
}

fn status_of(revocations: &[RevocationRow], number: &str) -> (DocumentStatus, Option<String>) {
    let mine: Vec<&RevocationRow> = revocations.iter().filter(|r| r.number == number).collect();
    let status = DocumentStatus::after(mine.iter().map(|r| r.status));
    let reason = mine.iter().rev().find(|r| r.status == status).map(|r| r.reason.clone());
    (status, reason)
}

fn summary(d: DocumentRow, revocations: &[RevocationRow]) -> DocumentSummary {
    let (status, _) = status_of(revocations, &d.number);
    DocumentSummary {
        number: d.number,
        kind: d.kind,
        case_number: d.case_number,
        event_seq: d.event_seq,
        issued_at: d.issued_at,
        status,
        sm3: d.sm3,
        key_id: d.key_id,
    }
}

async fn summaries(state: &App, case: &CaseNumber) -> Result<Vec<DocumentSummary>, AppError> {
    let rows = state.store.documents_of_case(case.as_str()).await?;
    let revocations = state.store.document_revocations_of_case(case.as_str()).await?;
    Ok(rows.into_iter().map(|d| summary(d, &revocations)).collect())
}

fn no_document(number: &str) -> AppError {
    AppError::NotFound(format!("no document {number}"))
}

/// The PDF of `number` if it belongs to `case`.
async fn pdf_of_case(state: &App, case: &CaseNumber, number: &str) -> Result<Vec<u8>, AppError> {
    let doc = state.store.document(number).await?.filter(|d| d.case_number == case.as_str());
    if doc.is_none() {
        return Err(no_document(number));
    }
    state.store.document_pdf(number).await?.ok_or_else(|| no_document(number))
}

/// A case's documents, for whoever may see the case.
pub async fn case_documents(
    state: &App,
    principal: &Principal,
    case: &CaseNumber,
) -> Result<Vec<DocumentSummary>, AppError> {
    crate::visible_case(state, principal, case).await?;
    summaries(state, case).await
}

/// One of a case's documents as sealed, for whoever may see the case.
pub async fn document_pdf(
    state: &App,
    principal: &Principal,
    case: &CaseNumber,
    number: &str,
) -> Result<Vec<u8>, AppError> {
    crate::visible_case(state, principal, case).await?;
    pdf_of_case(state, case, number).await
}

/// The case, if `phone` is its applicant's (digits compared); not found otherwise, the same
/// whether the case or the phone was wrong.
async fn case_by_phone(state: &App, principal: &Principal, case: &CaseNumber, phone: &str) -> Result<(), AppError> {
    authorize(principal, Action::VerifyDocument)?;
    let digits = |p: &str| p.chars().filter(char::is_ascii_digit).collect::<String>();
    let wanted = digits(phone);
    let found = state.store.case_by_number(case).await?;
    let matches = found
        .as_ref()
        .and_then(|c| c.applicant.phone.as_deref())
        .is_some_and(|p| !wanted.is_empty() && digits(p) == wanted);
    if matches { Ok(()) } else { Err(AppError::NotFound(format!("no case {case} with that phone number"))) }
}

/// A case's documents for whoever knows its number and the applicant's phone (the kiosk).
pub async fn documents_by_phone(
    state: &App,
    principal: &Principal,
    case: &CaseNumber,
    phone: &str,
) -> Result<Vec<DocumentSummary>, AppError> {
    case_by_phone(state, principal, case, phone).await?;
    summaries(state, case).await
}

/// One of a case's documents for whoever knows its number and the applicant's phone.
pub async fn document_pdf_by_phone(
    state: &App,
    principal: &Principal,
    case: &CaseNumber,
    phone: &str,
    number: &str,
) -> Result<Vec<u8>, AppError> {
    case_by_phone(state, principal, case, phone).await?;
    pdf_of_case(state, case, number).await
}

/// What anyone may know of a document by its 文号.
pub async fn public_document(state: &App, number: &str) -> Result<PublicDocument, AppError> {
    let d = state.store.document(number.trim()).await?.ok_or_else(|| no_document(number))?;
    let revocations = state.store.document_revocations(&d.number).await?;
    let (status, status_reason) = status_of(&revocations, &d.number);
    let status_at = revocations.iter().rev().find(|r| r.number == d.number && r.status == status).map(|r| r.at);
    let fields: Fields = serde_json::from_str(&d.fields).unwrap_or_default();
    let issuer = fields.get("bureau").cloned().unwrap_or_else(|| d.prefix.clone());
    Ok(PublicDocument {
        number: d.number,
        kind: d.kind,
        issued_on: date_zh(d.issued_at),
        holder_masked: d.holder_masked,
        status,
        status_reason,
        status_at,
        sm3: d.sm3,
        issuer,
    })
}

/// Whether `pdf` is the document `number`, unaltered: its seal checked against the
/// bureau's public keys (current and retired) and its hash against the register.
pub async fn check_upload(state: &App, number: &str, pdf: &[u8]) -> Result<(PublicDocument, UploadCheck), AppError> {
    let document = public_document(state, number).await?;
    let check = match tongban_seal::verify(pdf, &public_keys(state)) {
        Ok(v) if v.number != document.number => UploadCheck::NotThisDocument { number: v.number },
        Ok(v) if v.sm3 == document.sm3 => UploadCheck::Genuine,
        Ok(_) => UploadCheck::Altered,
        Err(tongban_seal::VerifyError::NotSealed) => UploadCheck::NotSealed,
        Err(_) => UploadCheck::Altered,
    };
    Ok((document, check))
}

/// Revokes (撤销) a document, for a reason: someone of its grant chain or an administrator.
/// The verification page shows it at once.
pub async fn revoke(
    state: &App,
    principal: &Principal,
    number: &str,
    reason: &str,
) -> Result<PublicDocument, AppError> {
    authorize(principal, Action::RevokeDocument)?;
    let account = principal.require()?.clone();
    let d = state.store.document(number.trim()).await?.ok_or_else(|| no_document(number))?;
    let (status, _) = status_of(&state.store.document_revocations(&d.number).await?, &d.number);
    check_revoke(&d.number, status, &d.chain, &account.id, account.role, reason).map_err(|e| match e {
        RevokeError::NotInChain => AppError::Forbidden(e.to_string()),
        RevokeError::AlreadyRevoked(_) => AppError::Conflict(e.to_string()),
        RevokeError::Reason { .. } => AppError::Invalid(vec![("reason".into(), e.to_string())]),
    })?;
    let now = state.now();
    let entry = RevocationRow {
        number: d.number.clone(),
        status: DocumentStatus::Revoked,
        at: now,
        by: account.id.clone(),
        reason: reason.trim().to_owned(),
    };
    let detail = serde_json::json!({ "case": d.case_number, "reason": entry.reason, "sm3": d.sm3 }).to_string();
    state
        .write_claimed(move |c| {
            Box::pin(async move {
                tongban_store::insert_document_revocation(c, &entry).await?;
                append_audit(c, now, &account.id, "document.revoke", &entry.number, &detail).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    public_document(state, &d.number).await
}

/// The bureau's public keys, current and retired (none without a seal).
pub fn public_keys(state: &App) -> Vec<tongban_seal::PublicKey> {
    state.seal.as_ref().map(|k| k.public_keys()).unwrap_or_default()
}

/// The template each kind's next document is rendered with (administrators).
pub async fn templates(state: &App, principal: &Principal) -> Result<Vec<Template>, AppError> {
    authorize(principal, Action::ManageTemplates)?;
    let current = current_templates(state).await?;
    Ok(DocumentKind::ALL.iter().filter_map(|k| current.get(k).cloned()).collect())
}

/// Saves `body` as the next version of `kind`'s template (administrators): refused, naming
/// the field, when it names an unknown field or, for a refusal, lacks its reasons or
/// legal basis. Documents already issued keep the version they were rendered with.
pub async fn save_template(
    state: &App,
    principal: &Principal,
    kind: DocumentKind,
    body: &str,
) -> Result<Template, AppError> {
    authorize(principal, Action::ManageTemplates)?;
    let who = principal.require()?.id.clone();
    let checked =
        Template::parse(kind, 0, body).map_err(|e| AppError::Invalid(vec![("body".into(), e.to_string())]))?;
    let now = state.now();
    let text = checked.body.clone();
    let version = state
        .write_claimed(move |c| {
            Box::pin(async move {
                let version = tongban_store::insert_document_template(c, kind, &text, now, &who).await?;
                let detail = serde_json::json!({ "version": version }).to_string();
                append_audit(c, now, &who, "document.template", kind.as_str(), &detail).await?;
                Ok::<_, AppError>(version)
            })
        })
        .await?;
    Ok(Template { version, ..checked })
}

/// Opens the keyring in `dir`, or creates one for `bureau` when there is none yet (`tongban
/// serve` and `demo` on first start).
pub fn open_or_init_seal(dir: &std::path::Path, bureau: tongban_seal::Bureau) -> Result<Arc<Keyring>, AppError> {
    use tongban_seal::SealError;
    let keyring = match Keyring::open(dir) {
        Err(SealError::MissingKeyring(_)) => match Keyring::init(dir, bureau) {
            // Another server on this machine made it first.
            Err(SealError::KeyringExists(_)) => Keyring::open(dir),
            made => made,
        },
        opened => opened,
    }
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Arc::new(keyring))
}

/// The bureau a center's seal is made for when nobody ran `tongban seal init`: named after
/// its first city (兰州市 → 兰州市行政审批服务局, 文号 prefix 兰审批), else its first division.
pub async fn default_bureau(state: &App) -> Result<tongban_seal::Bureau, AppError> {
    use tongban_core::division::DivisionLevel;
    let divisions = state.store.org_divisions().await?;
    let live = || divisions.iter().filter(|(_, retired)| !retired).map(|(d, _)| d);
    let place = live()
        .find(|d| d.level == DivisionLevel::City)
        .or_else(|| live().next())
        .map_or_else(|| "本市".to_owned(), |d| d.name.clone());
    let first = place.chars().next().unwrap_or('本');
    Ok(tongban_seal::Bureau {
        name: format!("{place}行政审批服务局"),
        prefix: format!("{first}审批"),
        review_body: format!("{place}人民政府"),
        court: "有管辖权的人民法院".into(),
    })
}
