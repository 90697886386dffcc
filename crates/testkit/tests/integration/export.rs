//! `GET /api/v1/users/me/export` (issue #14 item 3): every section of the family, the co-parent
//! by name only, nothing of another family, 5 exports an hour, 401 without a token; a family with
//! 10 years of custody and 5,000 events exports completely in bounded chunks; a storage failure
//! mid-stream leaves a body that is not a document.

use std::pin::Pin;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody as _;
use actix_web::http::StatusCode;
use actix_web::test::{call_service, init_service, TestRequest};
use calndr_app::RateLimits;
use calndr_ports::rate_limit::RateLimit;
use calndr_testkit::app::Account;
use calndr_testkit::proxy::Mode;
use calndr_testkit::{Backend, TestApp};
use serde_json::{json, Value};

use crate::family::family_of_two;
use crate::support::{app, assert_error, ok, sql};

const EXPORT: &str = "/api/v1/users/me/export";

/// Keys of the document in the order they are written.
const KEYS: [&str; 21] = [
    "format",
    "exported_at",
    "profile",
    "preferences",
    "members",
    "family_settings",
    "sign_in_identities",
    "custody",
    "events",
    "reminders",
    "journal",
    "children",
    "babysitters",
    "emergency_contacts",
    "medical_providers",
    "medications",
    "schedule_templates",
    "daycare_providers",
    "school_providers",
    "notification_emails",
    "themes",
];

/// One record in every section, made through the routes by `acc`.
async fn fill_every_section(app: &TestApp, acc: &Account, tag: &str) {
    let t = Some(acc.token.as_str());
    for (path, body) in [
        (
            "/api/v1/custody/",
            json!({"date": "2025-01-05", "custodian_id": acc.user_id}),
        ),
        (
            "/api/v1/events/",
            json!({"event_date": "2025-01-01", "content": format!("{tag} event")}),
        ),
        (
            "/api/v1/reminders",
            json!({"date": "2025-01-02", "text": format!("{tag} reminder"), "notification_time": "08:00"}),
        ),
        (
            "/api/v1/journal",
            json!({"content": format!("{tag} journal"), "entry_date": "2025-01-01"}),
        ),
        (
            "/api/v1/children",
            json!({"first_name": format!("{tag}kid"), "last_name": "Kid", "dob": "2020-01-01"}),
        ),
        (
            "/api/v1/babysitters",
            json!({"first_name": format!("{tag}sitter"), "last_name": "Sitter",
                   "phone_number": "555-0100", "rate": 12.5}),
        ),
        (
            "/api/v1/emergency-contacts",
            json!({"first_name": format!("{tag}contact"), "last_name": "Contact",
                   "phone_number": "555-0101"}),
        ),
        (
            "/api/v1/medical-providers/",
            json!({"name": format!("{tag} doctor"), "phone": "910-555-0100"}),
        ),
        (
            "/api/v1/medications",
            json!({"name": format!("{tag} med"), "reminder_enabled": true, "reminder_time": "08:00"}),
        ),
        (
            "/api/v1/schedule-templates/",
            json!({"name": format!("{tag} template"), "pattern_type": "weekly",
                   "weekly_pattern": {"monday": "parent1"}, "is_active": false}),
        ),
        (
            "/api/v1/daycare-providers",
            json!({"name": format!("{tag} daycare"), "website": "daycare.example.com"}),
        ),
        (
            "/api/v1/school-providers",
            json!({"name": format!("{tag} school"), "website": "school.example.com"}),
        ),
        (
            "/api/v1/notifications/emails",
            json!({"email": format!("alerts-{}@example.com", tag.to_lowercase().replace('\'', ""))}),
        ),
        ("/api/v1/themes", theme(&format!("{tag} theme"))),
    ] {
        ok(&app.post_json(path, t, &body).await);
    }
}

/// A private theme with every colour set.
fn theme(name: &str) -> Value {
    let mut theme = json!({"name": name, "isPublic": false});
    for k in [
        "mainBackgroundColor",
        "secondaryBackgroundColor",
        "textColor",
        "headerTextColor",
        "iconColor",
        "iconActiveColor",
        "accentColor",
        "parentOneColor",
        "parentTwoColor",
    ] {
        theme[k] = json!("#123456");
    }
    theme
}

fn object_keys(doc: &Value) -> Vec<String> {
    doc.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_holds_every_section_and_the_coparent_by_name_only() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let (alice, bob) = family_of_two(&app, "Alice", "Bob").await;
        // Bob's personal data that Alice's export must not show.
        let bob_phone = "+15555550123";
        ok(&app
            .put_json(
                "/api/v1/users/profile",
                Some(&bob.token),
                &json!({"phone_number": bob_phone}),
            )
            .await);
        ok(&app
            .post_json(
                "/api/v1/user/location",
                Some(&bob.token),
                &json!({"latitude": 12.3456, "longitude": 65.4321}),
            )
            .await);
        fill_every_section(&app, &alice, "Alice's").await;
        // Bob sets the family's time zone: the export says so, and who.
        ok(&app
            .put_json(
                "/api/v1/family/settings",
                Some(&bob.token),
                &json!({"timezone": "Europe/Berlin"}),
            )
            .await);
        // The co-parent's shared records are the family's: they are in Alice's export.
        ok(&app
            .post_json(
                "/api/v1/journal",
                Some(&bob.token),
                &json!({"content": "Bob's journal", "entry_date": "2025-01-03"}),
            )
            .await);
        ok(&app
            .post_json(
                "/api/v1/events/",
                Some(&bob.token),
                &json!({"event_date": "2025-01-04", "content": "Bob's event"}),
            )
            .await);

        let res = app.get(EXPORT, Some(&alice.token)).await;
        assert_eq!(res.status, StatusCode::OK, "{backend:?}");
        assert!(
            res.header("content-type")
                .is_some_and(|c| c.starts_with("application/json")),
            "{backend:?}"
        );
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d");
        assert_eq!(
            res.header("content-disposition"),
            Some(format!("attachment; filename=\"calndr-export-{today}.json\"").as_str()),
            "{backend:?}"
        );
        let doc = ok(&res);
        assert_eq!(doc["format"], "calndr-export/1");
        assert!(doc["exported_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 20));
        assert_eq!(doc["profile"]["email"], alice.email.as_str());
        assert_eq!(doc["profile"]["id"], alice.user_id.as_str());
        assert_eq!(
            doc["preferences"]["notification_preferences"]["email"],
            true
        );
        assert_eq!(doc["sign_in_identities"], json!([]));
        assert_eq!(doc["family_settings"]["timezone"], "Europe/Berlin");
        assert_eq!(doc["family_settings"]["updated_by"], bob.user_id.as_str());
        assert_eq!(
            doc["members"],
            json!([
                {"id": alice.user_id, "first_name": "Alice", "last_name": "Tester"},
                {"id": bob.user_id, "first_name": "Bob", "last_name": "Tester"},
            ]),
            "{backend:?}"
        );
        // The document's keys in the order written (serde_json keeps them sorted, so compare sets).
        let mut keys = object_keys(&doc);
        keys.sort();
        let mut expected: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
        expected.sort();
        assert_eq!(keys, expected);
        // The OpenAPI document describes exactly these keys.
        let api = ok(&app.get("/api/v1/openapi.json", None).await);
        let mut documented =
            object_keys(&api["components"]["schemas"]["ExportDocument"]["properties"]);
        documented.sort();
        assert_eq!(documented, expected, "ExportDocument schema");
        let body = String::from_utf8_lossy(&res.body).into_owned();
        let positions: Vec<usize> = KEYS
            .iter()
            .map(|k| body.find(&format!("\"{k}\":")).unwrap_or(usize::MAX))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        for section in &KEYS[7..] {
            assert!(
                doc[*section]
                    .as_array()
                    .is_some_and(|rows| !rows.is_empty()),
                "{backend:?}: {section} is empty"
            );
        }
        assert_eq!(doc["custody"][0]["event_date"], "2025-01-05");
        assert_eq!(doc["custody"][0]["content"], "Alice");
        assert_eq!(doc["events"].as_array().map(Vec::len), Some(2));
        let journal: Vec<&str> = doc["journal"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["content"].as_str())
            .collect();
        assert_eq!(journal, vec!["Alice's journal", "Bob's journal"]);
        assert_eq!(doc["medications"][0]["name"], "Alice's med");
        assert_eq!(doc["schedule_templates"][0]["name"], "Alice's template");
        assert_eq!(doc["daycare_providers"][0]["name"], "Alice's daycare");
        assert_eq!(doc["school_providers"][0]["name"], "Alice's school");
        assert_eq!(
            doc["notification_emails"][0]["email"],
            "alerts-alices@example.com"
        );
        // The user's own themes only, not the public ones every user sees.
        let themes: Vec<&str> = doc["themes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert_eq!(themes, vec!["Alice's theme"], "{backend:?}");
        // Nothing personal of Bob's but his name: no e-mail, phone or location.
        for secret in [
            bob.email.as_str(),
            bob_phone,
            "5555550123",
            "12.3456",
            "65.4321",
        ] {
            assert!(!body.contains(secret), "{backend:?}: export shows {secret}");
        }
        // And nothing secret of Alice's: no password hash.
        assert!(!body.contains("$argon2") && !body.contains("$2b$"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_familys_records_never_appear() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let alice = app.register("Alice").await;
        let carol = app.register("Carol").await;
        fill_every_section(&app, &alice, "Alice's").await;
        fill_every_section(&app, &carol, "Carol's").await;
        let a = app.get(EXPORT, Some(&alice.token)).await;
        let c = app.get(EXPORT, Some(&carol.token)).await;
        let (a_body, c_body) = (
            String::from_utf8_lossy(&a.body).into_owned(),
            String::from_utf8_lossy(&c.body).into_owned(),
        );
        assert!(
            a_body.contains("Alice's") && !a_body.contains("Carol"),
            "{backend:?}"
        );
        assert!(
            c_body.contains("Carol's") && !c_body.contains("Alice"),
            "{backend:?}"
        );
        assert!(!a_body.contains(&carol.user_id) && !c_body.contains(&alice.user_id));
        assert_eq!(ok(&c)["members"].as_array().map(Vec::len), Some(1));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_in_identity_is_named_by_provider_only() {
    let app = app(Backend::Postgres).await;
    let alice = app.register("Alice").await;
    sql(&app)
        .await
        .execute(
            "UPDATE users SET apple_user_id = 'apple-subject-7731', google_user_id = 'g-991' \
             WHERE id = $1::text::uuid",
            &[&alice.user_id],
        )
        .await
        .expect("link");
    let res = app.get(EXPORT, Some(&alice.token)).await;
    let doc = ok(&res);
    assert_eq!(
        doc["sign_in_identities"],
        json!([{"provider": "apple"}, {"provider": "google"}])
    );
    let body = String::from_utf8_lossy(&res.body);
    assert!(!body.contains("apple-subject-7731") && !body.contains("g-991"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_are_limited_per_user_and_need_a_token() {
    let limits = RateLimits {
        exports_per_user: RateLimit {
            max: 5,
            window: Duration::from_secs(3600),
        },
        ..RateLimits::unlimited()
    };
    assert_eq!(
        RateLimits::default().exports_per_user,
        limits.exports_per_user
    );
    let app = TestApp::builder(Backend::PostgresRedis)
        .fast_hashing()
        .with_rate_limits(limits)
        .build()
        .await;
    let alice = app.register("Alice").await;
    let bob = app.register("Bob").await;
    for n in 0..5 {
        let res = app.get(EXPORT, Some(&alice.token)).await;
        assert_eq!(res.status, StatusCode::OK, "export {n}");
    }
    let sixth = app.get(EXPORT, Some(&alice.token)).await;
    assert_error(&sixth, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = sixth
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=3600).contains(&retry), "Retry-After {retry}");
    // Per user: Bob still exports.
    assert_eq!(
        app.get(EXPORT, Some(&bob.token)).await.status,
        StatusCode::OK
    );
    // No token, or a bad one: 401.
    assert_error(
        &app.get(EXPORT, None).await,
        StatusCode::UNAUTHORIZED,
        "not_authenticated",
    );
    assert_eq!(
        app.get(EXPORT, Some("not-a-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// The answer's status and its body chunk by chunk, as the server writes them; `between(i)` runs
/// after the `i`th chunk arrived. A body that ends with an error gives `Err` as its last item.
async fn stream(
    app: &TestApp,
    token: &str,
    mut between: impl AsyncFnMut(usize),
) -> (StatusCode, Vec<Result<usize, String>>, Vec<u8>) {
    let srv = init_service(calndr_api::build_app(app.state.clone())).await;
    let req = TestRequest::get()
        .uri(EXPORT)
        .insert_header(("authorization", format!("Bearer {token}")))
        .peer_addr("127.0.0.1:40000".parse().expect("addr"))
        .to_request();
    let res = call_service(&srv, req).await.map_into_boxed_body();
    let status = res.status();
    let mut body = Box::pin(res.into_body());
    let mut chunks = Vec::new();
    let mut bytes = Vec::new();
    loop {
        let next = std::future::poll_fn(|cx| Pin::as_mut(&mut body).poll_next(cx)).await;
        match next {
            Some(Ok(b)) => {
                chunks.push(Ok(b.len()));
                bytes.extend_from_slice(&b);
                between(chunks.len()).await;
            }
            Some(Err(e)) => {
                chunks.push(Err(e.to_string()));
                break;
            }
            None => break,
        }
    }
    (status, chunks, bytes)
}

/// 10 years of custody (3,653 days from 2016-01-01, alternating parents) and 5,000 events, in
/// one statement each.
async fn seed_large_family(app: &TestApp, a: &Account, b: &Account) {
    let client = sql(app).await;
    client
        .execute(
            "INSERT INTO custody (family_id, date, actor_id, custodian_id, handoff_day) \
             SELECT $1::text::uuid, d::date, $2::text::uuid, \
                    CASE WHEN (d::date - DATE '2016-01-01') / 7 % 2 = 0 \
                         THEN $2::text::uuid ELSE $3::text::uuid END, \
                    EXTRACT(dow FROM d) = 1 \
             FROM generate_series(DATE '2016-01-01', DATE '2025-12-31', INTERVAL '1 day') d",
            &[&a.family_id, &a.user_id, &b.user_id],
        )
        .await
        .expect("custody");
    client
        .execute(
            "INSERT INTO events (family_id, date, content, position, event_type) \
             SELECT $1::text::uuid, DATE '2016-01-01' + (n % 3650), \
                    'Event number ' || n || ' with a description of ordinary length', n % 4, 'regular' \
             FROM generate_series(1, 5000) n",
            &[&a.family_id],
        )
        .await
        .expect("events");
}

/// Peak resident memory of this process so far (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_family_exports_completely_in_bounded_chunks() {
    let app = app(Backend::Postgres).await;
    let (alice, bob) = family_of_two(&app, "Alice", "Bob").await;
    seed_large_family(&app, &alice, &bob).await;
    let rss_before = peak_rss_kib();
    let started = Instant::now();
    let (status, chunks, bytes) = stream(&app, &alice.token, async |_| {}).await;
    let took = started.elapsed();
    let rss_after = peak_rss_kib();
    assert_eq!(status, StatusCode::OK);
    let sizes: Vec<usize> = chunks
        .iter()
        .map(|c| *c.as_ref().expect("no error mid-stream"))
        .collect();
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let doc: Value = serde_json::from_slice(&bytes).expect("a complete JSON document");
    assert_eq!(doc["custody"].as_array().map(Vec::len), Some(3653));
    assert_eq!(doc["events"].as_array().map(Vec::len), Some(5000));
    assert_eq!(doc["custody"][0]["event_date"], "2016-01-01");
    assert_eq!(doc["custody"][3652]["event_date"], "2025-12-31");
    let mut ids: Vec<i64> = doc["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["id"].as_i64())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 5000, "no event twice");
    // 500 rows a chunk: the server never held more than one page of the 8,652 rows.
    assert!(sizes.len() >= 8653 / 500, "{} chunks", sizes.len());
    assert!(
        largest <= 128 * 1024,
        "largest chunk {largest} bytes of {} in all",
        bytes.len()
    );
    assert!(bytes.len() > 8 * largest);
    eprintln!(
        "export of 3653 custody days + 5000 events: {} bytes in {} chunks, largest chunk {} bytes, \
         {:?}; peak RSS of the test process {} KiB before, {} KiB after",
        bytes.len(),
        sizes.len(),
        largest,
        took,
        rss_before,
        rss_after
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_failure_mid_stream_cuts_the_body_off() {
    let app = TestApp::builder(Backend::Postgres)
        .fast_hashing()
        .proxied_database()
        .build()
        .await;
    let (alice, bob) = family_of_two(&app, "Alice", "Bob").await;
    seed_large_family(&app, &alice, &bob).await;
    let proxy = app.database_proxy.clone().expect("proxy");
    // After the header and the first custody page, PostgreSQL goes away.
    let (status, chunks, bytes) = stream(&app, &alice.token, async |i| {
        if i == 2 {
            proxy.set(Mode::Down);
        }
    })
    .await;
    proxy.set(Mode::Forward);
    assert_eq!(status, StatusCode::OK, "the answer had begun");
    assert!(chunks.len() >= 3, "{chunks:?}");
    assert!(
        chunks.last().is_some_and(Result::is_err),
        "the body ends with an error: {:?}",
        chunks.last()
    );
    assert!(
        serde_json::from_slice::<Value>(&bytes).is_err(),
        "a cut-off export is not a JSON document"
    );
}
