//! The authorization matrix: every API route (and every case action) × every role, plus a
//! staff member of another department and a clerk whose grant expired. Each cell is
//! "allow" (the server does not answer 401/403) or "deny" (it does). Adding a route to the
//! OpenAPI document without a row here fails `every_route_has_a_matrix_row`.

use crate::common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{Caller, Fixture};
use serde_json::{Value, json};

/// Columns: public, applicant, clerk, reviewer, approver, head, leader, supervisor, admin,
/// outsider (clerk of another department), expired (clerk whose grant expired).
const WHO: [&str; 11] = [
    "public",
    "applicant",
    "clerk",
    "reviewer",
    "approver",
    "head",
    "leader",
    "supervisor",
    "admin",
    "outsider",
    "expired",
];

/// One row: method, path, action (for the actions route), and the expected cells, in WHO order:
/// `1` = allowed, `0` = denied.
const MATRIX: &[(&str, &str, &str, &str)] = &[
    ("GET", "/api/v1/items", "", "11111111111"),
    ("GET", "/api/v1/items/{code}", "", "11111111111"),
    ("GET", "/api/v1/lists", "", "11111111111"),
    ("GET", "/api/v1/catalog/reform", "", "11111111111"),
    ("GET", "/api/v1/lists/{kind}", "", "11111111111"),
    ("GET", "/api/v1/lists/{kind}/versions", "", "11111111111"),
    ("GET", "/api/v1/openapi.json", "", "11111111111"),
    ("POST", "/api/v1/cases", "", "01100000011"),
    ("GET", "/api/v1/cases", "", "01111111111"),
    ("GET", "/api/v1/cases/{number}", "", "01111111101"),
    ("POST", "/api/v1/cases/{number}/actions", "accept", "00101100000"),
    ("POST", "/api/v1/cases/{number}/actions", "reject", "00101100000"),
    ("POST", "/api/v1/cases/{number}/actions", "request_correction", "00101100000"),
    ("POST", "/api/v1/cases/{number}/actions", "resubmit", "01100000001"),
    ("POST", "/api/v1/cases/{number}/actions", "complete_step", "00011100000"),
    ("POST", "/api/v1/cases/{number}/actions", "suspend", "00011100000"),
    ("POST", "/api/v1/cases/{number}/actions", "resume", "00011100000"),
    ("POST", "/api/v1/cases/{number}/actions", "approve", "00001100000"),
    ("POST", "/api/v1/cases/{number}/actions", "deny", "00001100000"),
    ("POST", "/api/v1/cases/{number}/actions", "deliver", "00101100000"),
    // The fresh case, applied for online, is owned at once by clerk (the least-loaded clerk
    // at a window of fgw): the owner, the department's head and a supervisor may hand it on.
    ("POST", "/api/v1/cases/{number}/actions", "hand_over", "00100101000"),
    ("POST", "/api/v1/cases/{number}/actions", "take_over", "00111100001"),
    // Nothing is offered on a fresh case (409), so the row shows who passes the role and scope.
    ("POST", "/api/v1/cases/{number}/actions", "withdraw_hand_over", "00111101001"),
    ("POST", "/api/v1/cases/{number}/actions", "reassign", "00000001000"),
    ("POST", "/api/v1/cases/{number}/actions", "rate", "01000000000"),
    ("POST", "/api/v1/cases/{number}/actions", "answer_rating", "00101100001"),
    ("POST", "/api/v1/cases/{number}/actions", "return", "00011100000"),
    ("POST", "/api/v1/cases/{number}/actions", "reopen", "00001100000"),
    ("PUT", "/api/v1/cases/{number}/materials/{material}", "", "01100000001"),
    // Those who may not see the case get 404 (the file does not exist for them), not a denial.
    ("GET", "/api/v1/cases/{number}/materials/{material}", "", "01111111111"),
    ("PUT", "/api/v1/items/{code}/first-responsible", "", "00000100100"),
    ("GET", "/api/v1/supervision/board", "", "00000111100"),
    ("GET", "/api/v1/supervision/concerns", "", "00000111100"),
    ("PUT", "/api/v1/supervision/rules", "", "00000001100"),
    ("GET", "/api/v1/alerts", "", "00111111111"),
    ("GET", "/api/v1/supervision/alerts", "", "00111111111"),
    ("GET", "/api/v1/supervision/follow-ups", "", "00111111111"),
    ("GET", "/api/v1/accountability", "", "00111111111"),
    ("POST", "/api/v1/accountability/{number}/answer", "", "00001100000"),
    ("POST", "/api/v1/accountability/{number}/close", "", "00000001000"),
    ("GET", "/api/v1/figures", "", "00000111100"),
    ("POST", "/api/v1/session", "", "11111111111"),
    ("GET", "/api/v1/me", "", "01111111111"),
    ("POST", "/api/v1/tokens", "", "01111111111"),
    ("DELETE", "/api/v1/tokens/{id}", "", "01111111111"),
    ("POST", "/api/v1/applicants", "", "10000000000"),
    ("POST", "/api/v1/grants", "", "00001100000"),
    ("GET", "/api/v1/grants", "", "00111111111"),
    ("DELETE", "/api/v1/grants/{id}", "", "00001100100"),
    ("POST", "/api/v1/accounts", "", "00000000100"),
    ("PUT", "/api/v1/accounts/{login}/role", "", "00000000100"),
    ("GET", "/api/v1/plans", "", "11111111111"),
    ("POST", "/api/v1/plans", "", "00000010100"),
    ("GET", "/api/v1/plans/compare", "", "11111111111"),
    ("GET", "/api/v1/plans/{id}", "", "11111111111"),
    ("GET", "/api/v1/plans/{id}/bpmn", "", "11111111111"),
    ("GET", "/api/v1/plans/{id}/links", "", "11111111111"),
    ("POST", "/api/v1/projects", "", "00000010100"),
    ("GET", "/api/v1/projects", "", "00111111111"),
    ("POST", "/api/v1/projects/import", "", "00000010100"),
    ("GET", "/api/v1/projects/export", "", "00111111111"),
    ("GET", "/api/v1/projects/{code}", "", "00111111111"),
    ("POST", "/api/v1/projects/{code}/consultations", "", "00000010100"),
    ("POST", "/api/v1/projects/{code}/run", "", "00000010100"),
    ("POST", "/api/v1/projects/{code}/bundle", "", "00000010100"),
    ("POST", "/api/v1/projects/{code}/blocks/{module}", "", "00000010100"),
    ("POST", "/api/v1/projects/{code}/run/centralized", "", "00000010100"),
    ("GET", "/api/v1/projects/approval-list", "", "11111111111"),
    ("GET", "/api/v1/projects/figures", "", "00111111111"),
    ("POST", "/api/v1/projects/{code}/steps/{step}/start", "", "00000010100"),
    ("POST", "/api/v1/projects/{code}/steps/{step}/finish", "", "00000010100"),
    ("POST", "/api/v1/trainings", "", "00000010100"),
    ("GET", "/api/v1/trainings", "", "00111111111"),
    ("GET", "/api/v1/trainings/summary", "", "00111111111"),
    ("GET", "/api/v1/trainings/{id}", "", "00111111111"),
    ("POST", "/api/v1/projects/{code}/problems", "", "00000010100"),
    ("GET", "/api/v1/projects/{code}/problems", "", "00111111111"),
    ("GET", "/api/v1/problems", "", "00111111111"),
    ("GET", "/api/v1/problems/summary", "", "00111111111"),
    ("POST", "/api/v1/problems/{id}/close", "", "00000010100"),
    ("POST", "/api/v1/coordinations", "", "00000010100"),
    ("GET", "/api/v1/coordinations", "", "00111111111"),
    ("GET", "/api/v1/coordinations/summary", "", "00111111111"),
    ("POST", "/api/v1/meetings", "", "00000010100"),
    ("GET", "/api/v1/meetings", "", "00111111111"),
    ("GET", "/api/v1/meetings/summary", "", "00111111111"),
    ("GET", "/api/v1/meetings/{id}", "", "00111111111"),
    ("GET", "/api/v1/roadmap-tasks", "", "00111111111"),
    ("POST", "/api/v1/roadmap-tasks/{id}/done", "", "00000010100"),
    ("POST", "/api/v1/tickets", "", "11111111111"),
    ("POST", "/api/v1/tickets/next", "", "00101100011"),
    // The organisation, asked of `staff` (only administrators read staff; the other kinds
    // are public) and of a key that does not exist (so no cell retires what a later one needs).
    ("GET", "/api/v1/org/{kind}", "", "00000000100"),
    ("POST", "/api/v1/org/{kind}", "", "00000000100"),
    ("PUT", "/api/v1/org/{kind}/{key}", "", "00000000100"),
    ("POST", "/api/v1/org/{kind}/{key}/retire", "", "00000000100"),
    // Without a file: administrators get 415, the others are refused before it.
    ("POST", "/api/v1/imports/{kind}", "", "00000000100"),
    // Downloads, asked of `staff`: the organisation's kinds are the administrators'.
    ("GET", "/api/v1/exports/{kind}", "", "00000000100"),
    // Window assessment (考核评议): overseers and heads read it; clerks keep their own ledger;
    // heads and administrators mark days; administrators set weights, import and open surveys.
    ("GET", "/api/v1/assessment", "", "00000111100"),
    ("GET", "/api/v1/assessment/weights", "", "00000111100"),
    ("PUT", "/api/v1/assessment/weights", "", "00000000100"),
    // Without a file: administrators get 415, the others are refused before it.
    ("POST", "/api/v1/assessment/scores", "", "00000000100"),
    ("POST", "/api/v1/attendance/imports", "", "00000000100"),
    ("POST", "/api/v1/attendance/check-in", "", "00111100011"),
    ("POST", "/api/v1/attendance/check-out", "", "00111100011"),
    ("GET", "/api/v1/attendance", "", "00111111111"),
    ("PUT", "/api/v1/attendance/{login}/{date}", "", "00000100100"),
    ("GET", "/api/v1/surveys", "", "11111111111"),
    ("POST", "/api/v1/surveys", "", "00000000100"),
    // Anyone answers; the survey of a past month is closed (409), never a denial.
    ("POST", "/api/v1/surveys/{period}/answers", "", "11111111111"),
    // 好差评: the applicant, and a clerk at the window device, rate (a fresh case is not
    // delivered: 409); the department takes rectifications through their steps, its head or
    // approver appeals, a supervisor reviews; {id} names nothing (404 once allowed).
    ("POST", "/api/v1/cases/{number}/ratings", "", "01100000001"),
    ("GET", "/api/v1/cases/{number}/ratings", "", "01111111101"),
    ("GET", "/api/v1/rectifications", "", "00111111111"),
    ("GET", "/api/v1/rectifications/{id}", "", "01111111111"),
    ("POST", "/api/v1/rectifications/{id}/steps", "", "00101100011"),
    ("POST", "/api/v1/ratings/{id}/appeals", "", "00001100000"),
    ("GET", "/api/v1/appeals", "", "00111111111"),
    ("POST", "/api/v1/appeals/{id}/review", "", "00000001000"),
    ("GET", "/api/v1/satisfaction", "", "00000111100"),
    ("GET", "/api/v1/satisfaction/monthly", "", "11111111111"),
    // Last: it ends the callers' sessions.
    ("GET", "/api/v1/calendar", "", "11111111111"),
    ("GET", "/api/v1/calendar/years/{year}", "", "11111111111"),
    ("PUT", "/api/v1/calendar/years/{year}", "", "00000000100"),
    ("POST", "/api/v1/calendar/closures", "", "00000000100"),
    ("DELETE", "/api/v1/calendar/closures/{division}/{date}", "", "00000000100"),
    ("GET", "/api/v1/cases/{number}/due", "", "01111111101"),
    ("POST", "/api/v1/accounts/{login}/verification", "", "00100000011"),
    ("PUT", "/api/v1/accounts/{login}/disabled", "", "00000000100"),
    // Issuing a code for clerk2 leaves its password as it is.
    ("POST", "/api/v1/accounts/{login}/activation-codes", "", "00000000100"),
    // Anyone may try a code; a wrong one is 422 (or 429 after a few), never a denial.
    ("POST", "/api/v1/accounts/{login}/activation", "", "11111111111"),
    ("PUT", "/api/v1/me/password", "", "01111111111"),
    ("POST", "/api/v1/mandates", "", "01000000000"),
    ("GET", "/api/v1/mandates", "", "01000000000"),
    ("DELETE", "/api/v1/mandates/{agent}", "", "01000000000"),
    ("POST", "/api/v1/me/verification/code", "", "01000000000"),
    ("POST", "/api/v1/me/verification", "", "01000000000"),
    // Sealed documents: a fresh case has none (404 once allowed); the public record of a
    // 文号 that does not exist is 404 for anyone; those who may decide cases pass the role
    // check of a revocation (the document's own grant chain is checked once it exists) and
    // administrators; administrators keep the templates ({kind} names none: 404 once allowed).
    ("GET", "/api/v1/cases/{number}/documents", "", "01111111101"),
    ("GET", "/api/v1/cases/{number}/documents/{file}", "", "01111111101"),
    ("GET", "/api/v1/documents/{document}", "", "11111111111"),
    ("POST", "/api/v1/documents/{document}/revoke", "", "00101100111"),
    ("GET", "/api/v1/document-templates", "", "00000000100"),
    ("PUT", "/api/v1/document-templates/{kind}", "", "00000000100"),
    // Notices (通知): everyone logged in has an inbox and preferences (staff: their alert
    // channels); supervisors and administrators read the delivery figures; administrators
    // list failed notices, retry and cancel them ({id} names nothing: 404 once allowed).
    ("GET", "/api/v1/me/notifications", "", "01111111111"),
    ("POST", "/api/v1/me/notifications/{id}/read", "", "01111111111"),
    ("GET", "/api/v1/me/preferences", "", "01111111111"),
    ("PUT", "/api/v1/me/preferences", "", "01111111111"),
    ("GET", "/api/v1/notices/stats", "", "00000001100"),
    ("GET", "/api/v1/notices", "", "00000000100"),
    ("POST", "/api/v1/notices/{id}/retry", "", "00000000100"),
    ("POST", "/api/v1/notices/{id}/cancel", "", "00000000100"),
    // Notice templates: administrators only. WeChat consent: everyone logged in, for themselves.
    ("GET", "/api/v1/notice-templates", "", "00000000100"),
    ("GET", "/api/v1/notice-templates/{event}/{channel}", "", "00000000100"),
    ("PUT", "/api/v1/notice-templates/{event}/{channel}", "", "00000000100"),
    ("POST", "/api/v1/me/wechat-consents", "", "01111111111"),
    // Web Push: the VAPID key is public (404 where push is not configured); everyone logged in
    // enables and disables notices on their own browsers (409 where push is not configured,
    // 404 for an endpoint that is not theirs).
    ("GET", "/api/v1/push/key", "", "11111111111"),
    ("POST", "/api/v1/me/push-subscriptions", "", "01111111111"),
    ("DELETE", "/api/v1/me/push-subscriptions", "", "01111111111"),
    ("DELETE", "/api/v1/session", "", "01111111111"),
];

fn body_for(method: &str, path: &str, action: &str) -> Option<Value> {
    Some(match (method, path, action) {
        ("POST", "/api/v1/cases", _) => common::good_case(),
        (_, _, "accept" | "resume" | "take_over" | "withdraw_hand_over") => json!({ "action": action }),
        (_, _, "reject") => json!({ "action": action, "reason": "理由" }),
        (_, _, "request_correction") => json!({ "action": action, "missing": ["营业执照"] }),
        (_, _, "resubmit") => json!({ "action": action, "materials": ["营业执照"] }),
        (_, _, "complete_step") => json!({ "action": action, "step": "审核" }),
        (_, _, "suspend") => json!({ "action": action, "reason": "专家评审" }),
        (_, _, "approve") => json!({ "action": action }),
        (_, _, "deny") => json!({ "action": action, "reason": "不符合", "legal_basis": "第十条" }),
        (_, _, "deliver") => json!({ "action": action, "method": "mail", "tracking_number": "EA123456789CN" }),
        (_, _, "hand_over" | "reassign") => json!({ "action": action, "to": "clerk2" }),
        (_, _, "rate") => json!({ "action": action, "score": 5 }),
        (_, _, "answer_rating") => json!({ "action": action, "answer": "已核实整改" }),
        (_, _, "return" | "reopen") => json!({ "action": action, "reason": "复核" }),
        ("POST", "/api/v1/session", _) => json!({ "login": "nobody", "password": "irrelevant" }),
        ("POST", "/api/v1/tokens", _) => json!({ "name": "matrix" }),
        ("POST", "/api/v1/applicants", _) => {
            json!({ "login": "newcomer", "password": "long enough password", "name": "新用户", "kind": "individual", "id_number": "620102199001011233" })
        }
        ("POST", "/api/v1/grants", _) => json!({ "grantee": "clerk2", "department": "fgw", "powers": ["deliver"] }),
        ("POST", "/api/v1/accounts", _) => {
            json!({ "login": "newstaff", "password": "long enough password", "name": "新员工", "role": "reviewer", "department": "fgw" })
        }
        ("PUT", "/api/v1/items/{code}/first-responsible", _) => json!({ "account": "approver" }),
        ("PUT", "/api/v1/supervision/rules", _) => {
            json!({ "scope": "center", "key": "-", "used_percent": 80, "remaining_minutes": 420 })
        }
        ("POST", p, _) if p.starts_with("/api/v1/accountability") => {
            json!({ "since": "2026-01-01T00:00:00.000000Z", "text": "说明" })
        }
        ("POST", "/api/v1/projects", _) => json!({
            "code": "2026-620102-47-01-000001", "name": "停车场", "unit": "某公司",
            "project_type": "small", "small_type": "parking_lot", "investment_yuan": 1000, "division": "620102"
        }),
        ("POST", "/api/v1/projects/{code}/consultations", _) => json!({ "notes": "上门对接" }),
        ("POST", "/api/v1/projects/{code}/run", _) => json!({ "plan": "after-reform" }),
        ("POST", "/api/v1/projects/{code}/bundle", _) => json!({ "steps": ["LX01"] }),
        // Empty fields: the leader is told what is missing (422); the problem's project and
        // the problem do not exist (404).
        ("POST", "/api/v1/trainings", _) => json!({ "topic": "", "date": "", "departments": [], "people": [] }),
        ("POST", "/api/v1/projects/{code}/problems", _) => {
            json!({ "class": "missing_materials", "description": "", "department": "fgw", "days": 0 })
        }
        ("POST", "/api/v1/problems/{id}/close", _) => json!({ "handling": "coordinated" }),
        ("POST", "/api/v1/coordinations", _) => {
            json!({ "title": "", "date": "", "opinions": [], "conclusion": "", "projects": [] })
        }
        // Nothing filled in: the leader is told what is missing (422), nothing is recorded.
        ("POST", "/api/v1/meetings", _) => json!({}),
        ("POST", "/api/v1/tickets", _) => json!({ "queue": "comprehensive" }),
        ("PUT", "/api/v1/assessment/weights", _) => json!({
            "on_time": 30, "satisfaction": 25, "attendance": 15, "evaluation": 20, "third_party": 10, "deduction": 2,
            "red_flag": { "percent": 10, "at_least": 1, "min_total": 80 },
            "star": { "percent": 10, "at_least": 1, "min_total": 80 }
        }),
        ("PUT", "/api/v1/attendance/{login}/{date}", _) => json!({ "mark": "leave" }),
        ("POST", "/api/v1/surveys", _) => json!({ "period": "2027-07", "title": "民主评议" }),
        ("POST", "/api/v1/surveys/{period}/answers", _) => {
            json!({ "subject_kind": "department", "subject_code": "fgw", "grade": 5 })
        }
        // Empty fields: an administrator is told what is missing (422), nothing is created.
        ("POST", "/api/v1/org/{kind}", _) => json!({}),
        ("POST", "/api/v1/calendar/closures", _) => {
            json!({ "division": "620100", "date": "2027-07-14", "name": "暴雨" })
        }
        ("POST", "/api/v1/accounts/{login}/verification", _) => {
            json!({ "id_number": "620102199001011233", "name": "张三" })
        }
        // Enabling an enabled account, and a wrong current password: no cell disables an
        // account or changes a password that a later cell needs.
        ("PUT", "/api/v1/accounts/{login}/disabled", _) => json!({ "disabled": false }),
        ("POST", "/api/v1/mandates", _) => json!({ "agent": "nobody" }),
        ("POST", "/api/v1/me/verification", _) => json!({ "code": "000000" }),
        ("POST", "/api/v1/accounts/{login}/activation", _) => {
            json!({ "code": "0000-0000-0000-0000", "password": "long enough password" })
        }
        ("PUT", "/api/v1/me/password", _) => {
            json!({ "current_password": "wrong", "new_password": "long enough password" })
        }
        ("POST", "/api/v1/cases/{number}/ratings", _) => json!({ "channel": "window_device", "score": 5 }),
        ("POST", "/api/v1/rectifications/{id}/steps", _) => json!({ "step": "verify", "text": "核实" }),
        ("POST", "/api/v1/ratings/{id}/appeals", _) => json!({ "reasons": "误评" }),
        ("POST", "/api/v1/appeals/{id}/review", _) => json!({ "verdict": "upheld", "note": "复核" }),
        ("POST", "/api/v1/documents/{document}/revoke", _) => json!({ "reason": "复核" }),
        ("PUT", "/api/v1/document-templates/{kind}", _) => json!({ "body": "x" }),
        ("PUT", "/api/v1/me/preferences", _) => json!({ "channels": { "inbox": true } }),
        ("PUT", "/api/v1/notice-templates/{event}/{channel}", _) => {
            json!({ "subject": "受理通知：{case_number}", "body": "您的办件 {case_number} 已受理。" })
        }
        ("POST", "/api/v1/me/wechat-consents", _) => {
            json!({ "openid": "oMatrix_openid", "template_id": "tongban-accepted", "long_term": false })
        }
        ("POST", "/api/v1/me/push-subscriptions", _) => json!({
            "endpoint": "https://fcm.googleapis.com/fcm/send/authz",
            "expirationTime": null,
            "keys": {
                "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                "auth": "BTBZMqHH6r4Tts7J_aSIgg"
            }
        }),
        ("DELETE", "/api/v1/me/push-subscriptions", _) => {
            json!({ "endpoint": "https://fcm.googleapis.com/fcm/send/none" })
        }
        ("PUT", _, _) => json!({ "role": "reviewer" }),
        _ => return None,
    })
}

#[test]
fn every_route_has_a_matrix_row() {
    let doc = serde_json::to_value(tongban_server::api::openapi()).expect("json");
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object().into_iter().flat_map(|o| o.keys()).map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let in_matrix: BTreeSet<(String, String)> =
        MATRIX.iter().map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    let missing: Vec<_> = documented.difference(&in_matrix).collect();
    assert!(missing.is_empty(), "routes without a row in the authorization matrix: {missing:?}");
    let actions: BTreeSet<&str> = MATRIX.iter().map(|r| r.2).filter(|a| !a.is_empty()).collect();
    assert_eq!(actions.len(), 18, "every case action has a row");
}

#[tokio::test]
async fn the_server_enforces_the_matrix() {
    // SQLite only: the matrix is about the server's checks, which are the same on both.
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let mut callers = Vec::new();
        for who in WHO {
            callers.push(match who {
                "public" => Caller::default(),
                "approver" | "head" | "leader" | "supervisor" | "admin" | "outsider" | "expired" | "clerk"
                | "reviewer" | "applicant" => f.login(who).await,
                _ => unreachable!(),
            });
        }
        let applicant = f.login("applicant").await;
        let mut failures = Vec::new();
        for (method, path, action, expected) in MATRIX {
            for (i, who) in WHO.iter().enumerate() {
                // A fresh case per cell, so one cell's success cannot change another's answer.
                let number = if path.contains("{number}") { f.submit(&applicant).await } else { String::new() };
                let uri = path
                    .replace("{number}", &number)
                    .replace("{code}", "620100-FGW-001")
                    .replace("{id}", "none")
                    .replace("{login}", "clerk2")
                    .replace("{agent}", "nobody")
                    .replace("{material}", "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7")
                    .replace("{step}", "LX01")
                    .replace("{module}", "initiation")
                    .replace("{year}", "2027")
                    .replace("{division}", "620100")
                    .replace("{date}", "2027-07-14")
                    .replace("{period}", "2027-07")
                    .replace("{kind}", if path.starts_with("/api/v1/lists") { "powers" } else { "staff" })
                    .replace("{key}", "nobody")
                    .replace("{event}", "accepted")
                    .replace("{channel}", "email")
                    .replace("{document}", "%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95999%E5%8F%B7")
                    .replace("{file}", "%E5%85%B0%E5%AE%A1%E6%89%B9%E8%AE%B8%E3%80%942026%E3%80%95999%E5%8F%B7.pdf");
                // The reform report needs its two versions; the minimal center has one.
                let uri = if *path == "/api/v1/catalog/reform" { format!("{uri}?from=1&to=1") } else { uri };
                let body = body_for(method, path, action).map(|b| b.to_string());
                let (status, _, answer) = f.call(&callers[i], method, &uri, body.as_deref()).await;
                let denied = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
                // A failed login is 401 by design, not a denial of the route.
                let denied = denied
                    && !(*path == "/api/v1/session" && *method == "POST" && answer["type"] == "/problems/bad-login");
                let want_allowed = expected.as_bytes()[i] == b'1';
                if want_allowed == denied {
                    failures.push(format!(
                        "{method} {path} {action} as {who}: expected {}, got {status} {answer}",
                        if want_allowed { "allow" } else { "deny" }
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
        f.t.cleanup().await;
    }
}

/// Front-desk authority (后台向前台授权): case decisions by a window clerk, by item category.
/// Rows: item, action, expected cells for `clerk2` (no front-desk grant) and `clerk` (given
/// approve by the head in the test), `1` = done, `0` = refused (403). 620100-FGW-002 is a
/// same-day item, 620100-FGW-001 a time-limited one; each cell acts on a fresh accepted case.
const FRONT_DESK: &[(&str, &str, &str)] = &[
    ("620100-FGW-002", "approve", "01"),
    ("620100-FGW-002", "deny", "01"),
    ("620100-FGW-001", "approve", "00"),
    ("620100-FGW-001", "deny", "00"),
];

#[tokio::test]
async fn a_clerk_decides_at_the_window_only_under_a_front_desk_grant() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (head, approver, applicant) =
            (f.login("head").await, f.login("approver").await, f.login("applicant").await);
        let callers = [f.login("clerk2").await, f.login("clerk").await];
        let grant = json!({ "grantee": "clerk", "department": "fgw", "powers": ["approve"] });
        let (s, _, g) = f.call(&head, "POST", "/api/v1/grants", Some(&grant.to_string())).await;
        assert!(s.is_success(), "{s} {g}");
        let mut failures = Vec::new();
        for (item, action, expected) in FRONT_DESK {
            for (i, caller) in callers.iter().enumerate() {
                let mut case = common::good_case();
                case["item"] = json!(item);
                let (s, _, c) = f.call(&applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
                assert_eq!(s, StatusCode::CREATED, "{c}");
                let number = c["number"].as_str().expect("number").to_owned();
                assert_eq!(f.act(&approver, &number, json!({"action": "accept"})).await.0, StatusCode::OK);
                let (status, answer) = f.act(caller, &number, body_for("POST", "", action).expect("a body")).await;
                let want = expected.as_bytes()[i] == b'1';
                let ok = if want {
                    status == StatusCode::OK
                } else {
                    status == StatusCode::FORBIDDEN
                        && answer["detail"].as_str().is_some_and(|d| d.contains("a window clerk decides only"))
                };
                if !ok {
                    failures.push(format!("{action} on {item} as {}: got {status} {answer}", ["clerk2", "clerk"][i]));
                }
            }
        }
        assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
        f.t.cleanup().await;
    }
}

/// A hand-over to another department (无缝转接) and the 审批第一责任人, by caller. Columns:
/// clerk (the owner, fgw), clerk2 (a colleague), outsider (the receiver, zjj), head (fgw),
/// supervisor, applicant; `1` = done (2xx), `0` = refused (401, 403, or 409 not offered to
/// you). Each cell starts from a fresh case owned by clerk; "see", "queue" and "take" on one
/// offered to outsider.
const ACROSS_WHO: [&str; 6] = ["clerk", "clerk2", "outsider", "head", "supervisor", "applicant"];
const ACROSS: &[(&str, &str)] = &[
    ("offer", "100110"),
    ("see", "111111"),
    // The applicant finds it too: it is their own case.
    ("queue", "111111"),
    ("take", "001000"),
    // Naming fgw's first responsible person is the administrators' (none of these).
    ("name_first_responsible", "000000"),
    // The named person is told at the last level: the alerts and accountability of the
    // department are theirs to read (and everyone's of the department).
    ("read_alerts", "111110"),
];

#[tokio::test]
async fn a_hand_over_across_departments_and_the_first_responsible_person_by_caller() {
    for t in tongban_store::testing::each_backend().await {
        let name = t.name;
        let f = Fixture::new(t).await;
        let admin = f.login("admin").await;
        // fgw names approver its 审批第一责任人 (the administrator may; the guide says so).
        let body = json!({ "name": "发展和改革委员会", "division": "620100", "first_responsible": "approver" });
        let (s, _, v) = f.call(&admin, "PUT", "/api/v1/org/departments/fgw", Some(&body.to_string())).await;
        assert!(s.is_success(), "{name}: {s} {v}");
        let (_, _, item) = f.call(&Caller::default(), "GET", "/api/v1/items/620100-FGW-001", None).await;
        assert_eq!(item["first_responsible"], "approver", "{name}: {item}");
        let mut callers = Vec::new();
        for who in ACROSS_WHO {
            callers.push(f.login(who).await);
        }
        let applicant = f.login("applicant").await;
        let clerk = f.login("clerk").await;
        let mut failures = Vec::new();
        for (what, expected) in ACROSS {
            for (i, who) in ACROSS_WHO.iter().enumerate() {
                let mut case = common::good_case();
                case["received_by"] = json!("clerk");
                let (_, _, c) = f.call(&applicant, "POST", "/api/v1/cases", Some(&case.to_string())).await;
                let n = c["number"].as_str().expect("number").to_owned();
                assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
                if *what != "offer" {
                    let offer = json!({"action": "hand_over", "to": "outsider"});
                    assert_eq!(f.act(&clerk, &n, offer).await.0, StatusCode::OK, "{name}");
                }
                let caller = &callers[i];
                let (status, answer) = match *what {
                    "offer" => f.act(caller, &n, json!({"action": "hand_over", "to": "outsider"})).await,
                    "take" => f.act(caller, &n, json!({"action": "take_over"})).await,
                    "see" => {
                        let (s, _, v) = f.call(caller, "GET", &format!("/api/v1/cases/{n}"), None).await;
                        (s, v)
                    }
                    "queue" => {
                        let (s, _, v) = f.call(caller, "GET", "/api/v1/cases?state=accepted&per_page=200", None).await;
                        let found = v["items"].as_array().is_some_and(|a| a.iter().any(|c| c["number"] == n.as_str()));
                        (if found { s } else { StatusCode::FORBIDDEN }, v)
                    }
                    "name_first_responsible" => {
                        let body =
                            json!({ "name": "发展和改革委员会", "division": "620100", "first_responsible": "clerk" });
                        let (s, _, v) =
                            f.call(caller, "PUT", "/api/v1/org/departments/fgw", Some(&body.to_string())).await;
                        (s, v)
                    }
                    _ => {
                        let (s, _, v) = f.call(caller, "GET", "/api/v1/alerts", None).await;
                        (s, v)
                    }
                };
                let refused = status == StatusCode::UNAUTHORIZED
                    || status == StatusCode::FORBIDDEN
                    || (status == StatusCode::CONFLICT && answer["type"] == "/problems/not-offered");
                let want = expected.as_bytes()[i] == b'1';
                if want != status.is_success() || want == refused {
                    failures.push(format!("{what} as {who}: got {status} {answer}"));
                }
            }
        }
        assert!(failures.is_empty(), "{name}: {} cells differ:\n{}", failures.len(), failures.join("\n"));
        f.t.cleanup().await;
    }
}
