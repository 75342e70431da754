//! What the API shows: views of core types with their OpenAPI schemas. Core stays free of
//! HTTP concerns; the mapping lives here, once.

use crate::app::{ItemRow, RecordedEvent};
use serde::{Deserialize, Serialize};
use tongban_core::case::{ApplicantKind, Case};
use tongban_core::item::ServiceItem;
use utoipa::ToSchema;

/// A material an item asks for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialView {
    /// Name.
    pub name: String,
    /// Whether the case cannot be submitted without it.
    pub required: bool,
    /// `original`, `copy` or `electronic`.
    pub form: String,
}

/// A fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeView {
    /// What is charged.
    pub name: String,
    /// Amount in fen (1 yuan = 100 fen).
    pub amount_fen: u64,
}

/// A service item (事项) with its guide.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// Code, stable across catalog versions.
    pub code: String,
    /// Catalog version this row belongs to.
    pub version: u32,
    /// Name.
    pub name: String,
    /// Department code.
    pub department: String,
    /// Division code (GB/T 2260).
    pub division: String,
    /// `licensing`, `confirmation`, `filing`, `public_service` or `other`.
    pub kind: String,
    /// `on_the_spot` (即收即办), `same_day` (当日办结), `time_limited` (限时办结) or `agency` (代办服务).
    pub category: String,
    /// The category's Chinese name.
    pub category_zh: String,
    /// Legal time limit, e.g. `20d` or `4h`.
    pub legal_limit: Option<String>,
    /// Promised time limit; none means due at the end of the acceptance working day.
    pub promised_limit: Option<String>,
    /// Materials.
    pub materials: Vec<MaterialView>,
    /// Fees; empty when free.
    pub fees: Vec<FeeView>,
    /// Legal basis.
    pub legal_basis: String,
    /// Channels: `window`, `online`, `kiosk`, `app`, `mail`.
    pub channels: Vec<String>,
    /// 审批第一责任人 — the person first responsible for approving it, when named.
    pub first_responsible: Option<String>,
    /// 办理地点 — codes of the sites that handle it; empty means its department's site.
    pub sites: Vec<String>,
    /// 受理条件 — the conditions for acceptance; empty when not published.
    pub conditions: String,
    /// 办理流程 — the process steps (环节), in order; empty when not published.
    pub steps: Vec<String>,
    /// 咨询电话 — whom to ask; empty means the site's phone.
    pub contact: String,
}

impl From<ItemRow> for ItemView {
    fn from(row: ItemRow) -> Self {
        let i: ServiceItem = row.item;
        Self {
            code: i.code.to_string(),
            version: row.version,
            name: i.name,
            department: i.department.to_string(),
            division: i.division.to_string(),
            kind: i.kind.as_str().into(),
            category: i.category.as_str().into(),
            category_zh: i.category.zh().into(),
            legal_limit: i.legal_limit.map(|l| l.to_string()),
            promised_limit: i.promised_limit.map(|l| l.to_string()),
            materials: i
                .materials
                .into_iter()
                .map(|m| MaterialView { name: m.name, required: m.required, form: m.form.as_str().into() })
                .collect(),
            fees: i.fees.into_iter().map(|f| FeeView { name: f.name, amount_fen: f.amount_fen }).collect(),
            legal_basis: i.legal_basis,
            channels: i.channels.iter().map(|c| c.as_str().to_owned()).collect(),
            first_responsible: None,
            sites: i.sites.iter().map(|s| s.as_str().to_owned()).collect(),
            conditions: i.conditions,
            steps: i.steps,
            contact: i.contact,
        }
    }
}

/// One page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemPage {
    /// Items on this page.
    pub items: Vec<ItemView>,
    /// Matching items over all pages.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Items per page.
    pub per_page: u32,
}

/// The applicant as entered.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApplicantInput {
    /// `individual` or `enterprise`.
    pub kind: String,
    /// Name.
    #[schema(max_length = 200)]
    pub name: String,
    /// ID card number or 统一社会信用代码.
    #[schema(max_length = 64)]
    pub id_number: String,
    /// Phone.
    #[serde(default)]
    #[schema(max_length = 30)]
    pub phone: Option<String>,
}

/// A new case.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubmitCaseRequest {
    /// Item code.
    pub item: String,
    /// The applicant.
    pub applicant: ApplicantInput,
    /// `window`, `online`, `kiosk`, `app` or `mail`.
    pub channel: String,
    /// Names of the materials handed in (each must be one the item lists).
    #[serde(default)]
    pub materials: Vec<String>,
    /// Who received it first (首接): an account of the item's department's staff; defaults
    /// to the channel's hall account.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub received_by: Option<String>,
}

/// The applicant as shown: the id number is masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantView {
    /// `individual` or `enterprise`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Id number with all but the first 3 and last 4 characters masked.
    pub id_number: String,
}

/// A case's current state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Case number, e.g. `620100-2026-000123`.
    pub number: String,
    /// Item code.
    pub item: String,
    /// Catalog version of the item.
    pub item_version: u32,
    /// Division code.
    pub division: String,
    /// The applicant.
    pub applicant: ApplicantView,
    /// Channel.
    pub channel: String,
    /// Materials handed in.
    pub materials: Vec<String>,
    /// State: `submitted`, `correction_requested`, `rejected`, `accepted`, `in_process`, `suspended`, `approved`, `denied`, `delivered`.
    pub state: String,
    /// Current owner.
    pub owner: String,
    /// Version for optimistic concurrency (number of events).
    pub version: u32,
    /// Submitted at (RFC 3339).
    pub submitted_at: String,
    /// Accepted at.
    pub accepted_at: Option<String>,
    /// Due at.
    pub due_at: Option<String>,
    /// Decided at.
    pub decided_at: Option<String>,
    /// Closed (delivered or rejected) at.
    pub closed_at: Option<String>,
    /// 绿色通道: a priority case (opened for a step of a green-channel project), listed
    /// first in queues.
    pub priority: bool,
}

fn ts(t: jiff::Timestamp) -> String {
    t.to_string()
}

impl From<&Case> for CaseView {
    fn from(c: &Case) -> Self {
        Self {
            number: c.number.to_string(),
            item: c.item.to_string(),
            item_version: c.item_version,
            division: c.division.to_string(),
            applicant: ApplicantView {
                kind: match c.applicant.kind {
                    ApplicantKind::Individual => "individual".into(),
                    ApplicantKind::Enterprise => "enterprise".into(),
                },
                name: c.applicant.name.clone(),
                id_number: tongban_core::identity::mask_id_number(&c.applicant.id_number),
            },
            channel: c.channel.as_str().into(),
            materials: c.materials.clone(),
            state: c.state.as_str().into(),
            owner: c.owner.clone(),
            version: c.version,
            submitted_at: ts(c.submitted_at),
            accepted_at: c.accepted_at.map(ts),
            due_at: c.due_at.map(ts),
            decided_at: c.decided_at.map(ts),
            closed_at: c.closed_at.map(ts),
            priority: c.priority,
        }
    }
}

/// One event of a case's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Position in the history (1-based).
    pub seq: u32,
    /// Event type, e.g. `submitted`, `accepted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Who caused it.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// The event's data, personal data masked as in the case itself.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    /// For decisions: the chain of grant ids (root first) the actor held the power under;
    /// empty when held by office (department head).
    pub authority: Option<Vec<String>>,
    /// The same chain resolved, each grant with its grantor, grantee and their levels (主要领导
    /// → 分管领导 → 处室负责人 → 一般工作人员); for staff, who may read the grant book.
    pub chain: Option<Vec<super::grants::ChainLinkView>>,
}

impl From<RecordedEvent> for EventView {
    fn from(e: RecordedEvent) -> Self {
        Self {
            seq: e.seq,
            kind: e.event.kind().into(),
            actor: e.actor,
            at: ts(e.at),
            data: serde_json::to_value(e.event.masked()).unwrap_or_default(),
            authority: e.authority,
            chain: None,
        }
    }
}

/// The clock of a case, computed with the working calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseClock {
    /// When it is due (RFC 3339); none before acceptance.
    pub due_at: Option<String>,
    /// Whether the due time runs into a year whose holiday schedule is not yet announced
    /// (暂定: counted by the holiday law; recomputed when the year is imported).
    pub provisional: bool,
    /// The calendar revision the due time was computed with (0: the built-in calendar).
    pub calendar_revision: u64,
    /// Working minutes the limit allows.
    pub allowed_working_minutes: Option<i64>,
    /// Working minutes used so far (suspensions excluded; frozen at the decision).
    pub used_working_minutes: Option<i64>,
    /// Working minutes remaining (negative when overdue).
    pub remaining_working_minutes: Option<i64>,
    /// 首接责任制: by when the current owner must act — accept or refuse a submission within
    /// one working day, finish a running case by its due time, deliver a decision within one
    /// working day. None once closed.
    pub owner_act_by: Option<String>,
}

/// One page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    /// Cases on this page: priority cases (绿色通道) first, then newest first.
    pub items: Vec<CaseView>,
    /// Matching cases over all pages.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Per page.
    pub per_page: u32,
}

/// A case with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    /// Current state.
    pub case: CaseView,
    /// Its clock.
    pub clock: CaseClock,
    /// Uploaded material files.
    pub files: Vec<super::files::FileView>,
    /// History, oldest first.
    pub events: Vec<EventView>,
    /// The notices the case caused, oldest first: each with its `channel` and `state`
    /// (`queued`, `sent`, `delivered`, `failed` with its `reason` …), the proof that a
    /// notice such as the 补正告知 reached the applicant.
    pub notices: Vec<super::notices::NoticeJson>,
}

impl SubmitCaseRequest {
    /// Parses the request into core types (core's [`SubmissionRequest`]), collecting every
    /// invalid field.
    ///
    /// [`SubmissionRequest`]: tongban_core::case::SubmissionRequest
    pub fn parse(
        self,
    ) -> Result<(tongban_core::item::ItemCode, tongban_core::case::Submission), Vec<(String, String)>> {
        tongban_core::case::SubmissionRequest {
            item: self.item,
            applicant_kind: self.applicant.kind,
            name: self.applicant.name,
            id_number: self.applicant.id_number,
            phone: self.applicant.phone,
            channel: self.channel,
            materials: self.materials,
            received_by: self.received_by,
        }
        .parse()
    }
}
