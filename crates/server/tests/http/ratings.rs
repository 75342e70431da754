//! 好差评 over HTTP and on the pages, on both databases: a bad rating through the API, its
//! rectification taken through the department's forms without JavaScript, the rater's
//! acceptance, an upheld appeal that takes the rating out of the figures, and the pages.

use crate::common;

use axum::http::StatusCode;
use common::browser::Web;
use common::{Fixture, assert_problem};
use serde_json::json;

#[tokio::test]
async fn a_bad_rating_is_rectified_on_the_pages_accepted_and_appealed_out_of_the_figures() {
    for t in tongban_store::testing::each_backend().await {
        let f = Fixture::new(t).await;
        let (applicant, clerk, approver, head, supervisor) = (
            f.login("applicant").await,
            f.login("clerk").await,
            f.login("approver").await,
            f.login("head").await,
            f.login("supervisor").await,
        );
        let n = f.submit(&applicant).await;
        let rate = |score: u8| json!({ "channel": "online", "score": score, "comment": "等太久" }).to_string();
        let uri = format!("/api/v1/cases/{n}/ratings");
        assert_problem(&f.call(&applicant, "POST", &uri, Some(&rate(1))).await, 409, "illegal-transition");
        assert_eq!(f.act(&clerk, &n, json!({"action": "accept"})).await.0, StatusCode::OK);
        assert_eq!(f.act(&approver, &n, json!({"action": "approve", "note": "同意"})).await.0, StatusCode::OK);
        assert_eq!(f.act(&clerk, &n, json!({"action": "deliver", "method": "window"})).await.0, StatusCode::OK);
        let (s, _, rated) = f.call(&applicant, "POST", &uri, Some(&rate(1))).await;
        assert_eq!(s, StatusCode::CREATED, "{rated}");
        assert_problem(&f.call(&applicant, "POST", &uri, Some(&rate(5))).await, 409, "already-rated");
        let (s, _, listed) = f.call(&head, "GET", &uri, None).await;
        assert_eq!(s, StatusCode::OK, "{listed}");
        let id = listed["rectifications"][0]["id"].as_i64().expect("a rectification");
        assert_eq!(listed["rectifications"][0]["stage"], "opened");

        // The department's forms, in order, as the head sees them.
        let mut web = Web::new(&f);
        web.login("head").await;
        for (step, text) in [("verify", "高峰时段排队过长"), ("rectify", "增开窗口"), ("feed_back", "已电话告知")]
        {
            let page = web.get(&format!("/ratings/rectifications/{id}")).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert!(page.has(&format!("/ratings/rectifications/{id}/{step}")), "the {step} form: {}", page.body);
            let csrf = page.csrf();
            let done =
                web.post(&format!("/ratings/rectifications/{id}/{step}"), &[("csrf", &csrf), ("text", text)]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{step}: {}", done.body);
        }
        let skipped = json!({ "step": "verify", "text": "x" }).to_string();
        assert_problem(
            &f.call(&head, "POST", &format!("/api/v1/rectifications/{id}/steps"), Some(&skipped)).await,
            409,
            "rectification-out-of-order",
        );
        let accept = json!({ "step": "accept" }).to_string();
        let (s, _, x) = f.call(&applicant, "POST", &format!("/api/v1/rectifications/{id}/steps"), Some(&accept)).await;
        assert_eq!((s, x["stage"].as_str()), (StatusCode::OK, Some("accepted")), "{x}");
        assert_eq!(x["feedback"], "已电话告知");

        // Counted, then appealed out of the figures.
        let figures = "/api/v1/satisfaction?by=department&from=2026-03-01&to=2026-04-01";
        let (s, _, rows) = f.call(&head, "GET", figures, None).await;
        assert_eq!(s, StatusCode::OK, "{rows}");
        assert_eq!((rows[0]["rated"].as_u64(), rows[0]["satisfied"].as_u64()), (Some(1), Some(0)), "{rows}");
        let rating = rated["id"].as_i64().expect("id");
        let reasons = json!({ "reasons": "评价人误评" }).to_string();
        let (s, _, appeal) = f.call(&head, "POST", &format!("/api/v1/ratings/{rating}/appeals"), Some(&reasons)).await;
        assert_eq!(s, StatusCode::CREATED, "{appeal}");
        let review = json!({ "verdict": "upheld", "note": "核实属误评" }).to_string();
        let appeal_id = appeal["id"].as_i64().expect("id");
        let (s, _, reviewed) =
            f.call(&supervisor, "POST", &format!("/api/v1/appeals/{appeal_id}/review"), Some(&review)).await;
        assert_eq!((s, reviewed["verdict"].as_str()), (StatusCode::OK, Some("upheld")), "{reviewed}");
        let (_, _, rows) = f.call(&head, "GET", figures, None).await;
        assert_eq!(rows, json!([]), "the upheld appeal excludes the only rating");
        let (s, _, monthly) = f.call(&common::Caller::default(), "GET", "/api/v1/satisfaction/monthly", None).await;
        assert_eq!((s, monthly), (StatusCode::OK, json!([])));

        // The pages answer.
        for page in ["/ratings/satisfaction?by=staff", "/ratings/rectifications", "/ratings/appeals"] {
            let p = web.get(page).await;
            assert_eq!(p.status, StatusCode::OK, "{page}: {}", p.body);
        }
        let mut public = Web::new(&f);
        assert_eq!(public.get("/figures").await.status, StatusCode::OK);
        f.t.cleanup().await;
    }
}
