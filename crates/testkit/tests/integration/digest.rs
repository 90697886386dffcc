//! The weekly digest to the family's alert addresses (`calndr digest`).

use calndr_testkit::Backend;
use serde_json::json;

use crate::family::family_of_two;
use crate::support::{app, ok};

#[tokio::test(flavor = "multi_thread")]
async fn the_weekly_digest_tells_each_alert_address_who_has_the_children_and_the_handoffs() {
    let app = app(Backend::Postgres).await;
    let (jeff, deb) = family_of_two(&app, "Jeff", "Deb").await;
    let t = Some(jeff.token.as_str());
    for address in ["grandma@example.com", "nanny@example.com"] {
        ok(&app
            .post_json(
                "/api/v1/notifications/emails",
                t,
                &json!({"email": address}),
            )
            .await);
    }
    for (date, who) in [
        ("2026-03-02", &jeff),
        ("2026-03-03", &jeff),
        ("2026-03-04", &deb),
    ] {
        ok(&app
            .post_json(
                "/api/v1/custody/",
                t,
                &json!({"date": date, "custodian_id": who.user_id}),
            )
            .await);
    }
    ok(&app
        .put_json(
            "/api/v1/custody/date/2026-03-04",
            t,
            &json!({"date": "2026-03-04", "custodian_id": deb.user_id, "handoff_day": true,
                    "handoff_time": "17:30", "handoff_location": "school"}),
        )
        .await);
    ok(&app
        .post_json(
            "/api/v1/events/",
            t,
            &json!({"event_date": "2026-03-05", "content": "Dentist <3pm>"}),
        )
        .await);
    // Another family without alert addresses gets nothing.
    family_of_two(&app, "Sam", "Alex").await;

    let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
    let report = app.digest.send_weekly(from).await.expect("digest");
    assert_eq!((report.families, report.emails, report.failures), (1, 2, 0));
    let sent = app.mailer.sent();
    let to: Vec<&str> = sent.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, vec!["grandma@example.com", "nanny@example.com"]);
    let m = &sent[0];
    assert_eq!(m.subject, "Your Calndr week: Mar 2 – Mar 8");
    assert!(m.text.contains("Mon Mar 2: Jeff"), "{}", m.text);
    assert!(
        m.text.contains("Wed Mar 4: Deb (handoff 17:30 at school)"),
        "{}",
        m.text
    );
    assert!(
        m.text.contains("Thu Mar 5: not set; Dentist <3pm>"),
        "{}",
        m.text
    );
    assert!(
        m.html.contains("Dentist &lt;3pm&gt;"),
        "escaped in HTML: {}",
        m.html
    );
}
