//! The supervision's catch (电子监察): a few of the demo's late cases, each with the
//! accountability record (问责) it turned red into, answered by the department's head and
//! closed by a supervisor — so the accountability pages show the whole loop, truthfully
//! (only cases that were really delivered after their due time).

use tongban_core::calendar::WorkingCalendar;
use tongban_core::case::CaseState;
use tongban_core::item::ServiceItem;
use tongban_core::supervision::{AccountabilityState, AlertKind};
use tongban_server::App;
use tongban_server::app::bulk;
use tongban_server::auth::Principal;
use tongban_store::{AccountabilityRow, CaseFilter};

use super::org::Org;

/// How many late cases get their record.
const RECORDS: usize = 4;

/// The supervisor's login in the demo (see `demo_accounts`).
const SUPERVISOR: &str = "supervisor";

/// Opens, answers and closes accountability records for the first late delivered cases;
/// answers how many.
pub(super) async fn load(
    app: &App,
    org: &Org,
    items: &[ServiceItem],
    calendar: &WorkingCalendar,
    now: jiff::Timestamp,
) -> anyhow::Result<usize> {
    let console = Principal::console();
    let mut records = Vec::new();
    let mut page = 1;
    while records.len() < RECORDS {
        let filter = CaseFilter { state: Some(CaseState::Delivered), page, per_page: 200, ..CaseFilter::default() };
        let found = tongban_server::app::search_cases(app, &console, filter).await?;
        if found.items.is_empty() {
            break;
        }
        for case in &found.items {
            let (Some(due), Some(closed)) = (case.due_at, case.closed_at) else { continue };
            let Some(item) = items.iter().find(|i| i.code == case.item) else { continue };
            let Some(team) = org.departments.iter().position(|d| d.code == item.department).map(|d| &org.teams[d])
            else {
                continue;
            };
            // The department explains the next working day; a supervisor closes it two later.
            // Past the calendar's years there is no working day to answer on: no record.
            let Ok(answered) = calendar.add_working_minutes(due, 420) else { continue };
            let Ok(concluded) = calendar.add_working_minutes(answered, 2 * 420) else { continue };
            if closed <= due || concluded > now || records.len() >= RECORDS {
                continue;
            }
            records.push(AccountabilityRow {
                case_number: case.number.to_string(),
                kind: AlertKind::DUE,
                since: due,
                department: item.department.to_string(),
                owner: case.owner.clone(),
                first_responsible: Some(team.head.clone()),
                state: AccountabilityState::Closed,
                opened_at: due,
                answer: Some("超出承诺时限属实：补充材料往返占用审查时间，经办人未及时申请挂起。已约谈经办人，并对同类事项设置到期前提醒。".into()),
                answered_by: Some(team.head.clone()),
                answered_at: Some(answered),
                conclusion: Some("说明属实，整改措施可行；责令经办窗口书面检查，计入当月窗口考核扣分。".into()),
                closed_by: Some(SUPERVISOR.into()),
                closed_at: Some(concluded),
            });
        }
        page += 1;
    }
    let count = records.len();
    bulk::load_accountability(app, &console, records).await?;
    Ok(count)
}
