//! `DELETE /api/v1/users/me` (issue #14 item 1): confirmed by the password or a recent sign-in;
//! afterwards the tokens answer 401, the address registers again, no table holds the user's
//! e-mail, phone or name, the co-parent's calendar is unchanged (the deleted parent's days show
//! "Former member"), and a family without members left is gone.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use calndr_testkit::app::TEST_SECRET;
use calndr_testkit::{Backend, TestApp, TestResponse};
use serde_json::{json, Value};

use crate::support::{app, assert_error, hs256_token, ok, seed_code, sql, unique_email};

async fn delete_me(app: &TestApp, token: &str, body: Option<Value>) -> TestResponse {
    let req = TestRequest::delete()
        .uri("/api/v1/users/me")
        .insert_header(("authorization", format!("Bearer {token}")));
    let req = match body {
        Some(b) => req.set_json(b),
        None => req,
    };
    app.send(req).await
}

/// A parent with a distinctive name, e-mail and phone, so a dump can be searched for them.
struct Parent {
    token: String,
    user_id: String,
    family_id: String,
    email: String,
    name: String,
    phone: &'static str,
    password: &'static str,
}

async fn sign_up(app: &TestApp, name: &str, phone: &'static str, code: Option<&str>) -> Parent {
    register(app, name, &unique_email(&name.to_lowercase()), phone, code).await
}

async fn register(
    app: &TestApp,
    name: &str,
    email: &str,
    phone: &'static str,
    code: Option<&str>,
) -> Parent {
    let password = "delete-me-passphrase";
    let (path, mut body) = match code {
        None => ("/api/v1/auth/register", json!({})),
        Some(c) => (
            "/api/v1/auth/register-with-family",
            json!({"enrollment_code": c, "family_id": null}),
        ),
    };
    for (k, v) in [
        ("first_name", json!(name)),
        ("last_name", json!("Tester")),
        ("email", json!(email)),
        ("password", json!(password)),
        ("phone_number", json!(phone)),
    ] {
        body[k] = v;
    }
    let res = ok(&app.post_json(path, None, &body).await);
    Parent {
        token: res["access_token"].as_str().expect("token").to_owned(),
        user_id: res["user_id"].as_str().expect("user").to_owned(),
        family_id: res["family_id"].as_str().unwrap_or_default().to_owned(),
        email: email.to_owned(),
        name: name.to_owned(),
        phone,
        password,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_or_missing_password_deletes_nothing() {
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let alice = app.register("Alice").await;
        let wrong = delete_me(&app, &alice.token, Some(json!({"password": "not-it"}))).await;
        assert_error(&wrong, StatusCode::FORBIDDEN, "wrong_password");
        let missing = delete_me(&app, &alice.token, None).await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}"
        );
        let unknown = delete_me(&app, &alice.token, Some(json!({"passwd": "x"}))).await;
        assert_eq!(
            unknown.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}"
        );
        ok(&app.get("/api/v1/users/profile", Some(&alice.token)).await);
        assert_error(
            &app.send(TestRequest::delete().uri("/api/v1/users/me"))
                .await,
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_account_leaves_no_personal_data_and_the_coparents_calendar_unchanged() {
    for backend in [Backend::Memory, Backend::PostgresRedis] {
        let app = app(backend).await;
        // A name no earlier run left in the shared Redis.
        let name: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .bytes()
            .take(8)
            .map(|b| char::from(b'a' + b % 26))
            .collect();
        let name = format!("Quorrabelle{name}");
        let alice = sign_up(&app, &name, "+15555550142", None).await;
        let host = calndr_testkit::app::Account {
            token: alice.token.clone(),
            user_id: alice.user_id.clone(),
            family_id: alice.family_id.clone(),
            email: alice.email.clone(),
            password: alice.password.to_owned(),
        };
        let code = seed_code(&app, &host).await;
        let bob = sign_up(&app, "Bob", "+15555550143", Some(&code)).await;
        let (a, b) = (Some(alice.token.as_str()), Some(bob.token.as_str()));
        for (date, who) in [
            ("2026-12-10", &alice.user_id),
            ("2026-12-11", &bob.user_id),
            ("2027-01-05", &alice.user_id),
        ] {
            ok(&app
                .post_json(
                    "/api/v1/custody/",
                    a,
                    &json!({"date": date, "custodian_id": who}),
                )
                .await);
        }
        ok(&app
            .post_json(
                "/api/v1/events/",
                a,
                &json!({"event_date": "2026-12-12", "content": "Recital"}),
            )
            .await);
        ok(&app
            .post_json(
                "/api/v1/journal",
                a,
                &json!({"title": "Handoff", "content": "On time.", "entry_date": "2026-12-10"}),
            )
            .await);
        let custody_before = ok(&app.get("/api/v1/custody/2026/12", b).await);
        let events_before = ok(&app.get("/api/v1/events/2026/12", b).await);
        if backend == Backend::PostgresRedis {
            // The search below can find her: the months Bob read are cached with her name
            // (January is not read again after the deletion, so nothing overwrites it).
            ok(&app.get("/api/v1/custody/2027/1", b).await);
            let cached = redis_dump().await;
            assert!(cached.iter().any(|l| l.contains(&alice.name)), "{cached:?}");
        }

        // Bob keeps writing while Alice deletes: no 500, no half-deleted account.
        let writes = async {
            let mut statuses = Vec::new();
            for day in 20..26 {
                let res = app
                    .post_json(
                        "/api/v1/custody/",
                        b,
                        &json!({"date": format!("2026-12-{day}"), "custodian_id": bob.user_id}),
                    )
                    .await;
                statuses.push(res.status);
            }
            statuses
        };
        let (deleted, statuses) = tokio::join!(
            delete_me(
                &app,
                &alice.token,
                Some(json!({"password": alice.password}))
            ),
            writes
        );
        assert_eq!(
            deleted.status,
            StatusCode::NO_CONTENT,
            "{backend:?}: {}",
            String::from_utf8_lossy(&deleted.body)
        );
        assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");

        // The tokens end; deleting again is 401; the address registers again.
        assert_error(
            &app.get("/api/v1/users/profile", a).await,
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
        );
        let again = delete_me(
            &app,
            &alice.token,
            Some(json!({"password": alice.password})),
        )
        .await;
        assert_error(&again, StatusCode::UNAUTHORIZED, "not_authenticated");

        // Bob's calendar: the same days, Alice's now "Former member"; the event and the
        // journal entry stay; the family's members are Bob alone.
        let custody_after = ok(&app.get("/api/v1/custody/2026/12", b).await);
        let days = |v: &Value| -> Vec<(String, String)> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["date"].as_str().is_some_and(|s| s < "2026-12-20"))
                .map(|d| (d["date"].to_string(), d["custodian_id"].to_string()))
                .collect()
        };
        assert_eq!(days(&custody_after), days(&custody_before), "{backend:?}");
        let text = custody_after.to_string();
        assert!(!text.contains(&alice.name), "{text}");
        assert!(text.contains("Former member"), "{text}");
        assert_eq!(
            ok(&app.get("/api/v1/events/2026/12", b).await),
            events_before
        );
        let journal = ok(&app.get("/api/v1/journal?limit=50", b).await).to_string();
        assert!(journal.contains("On time."), "{journal}");
        let members = ok(&app.get("/api/v1/family/members", b).await).to_string();
        assert!(
            !members.contains(&alice.name) && !members.contains(&alice.user_id),
            "{members}"
        );
        let reborn = register(&app, &name, &alice.email, "+15555550142", None).await;
        assert_ne!(reborn.user_id, alice.user_id);

        if backend == Backend::PostgresRedis {
            let dump = dump(&app).await;
            for secret in [alice.email.as_str(), alice.phone, alice.name.as_str()] {
                // The new registration holds the same data: search without its rows.
                let hits = dump
                    .lines()
                    .filter(|l| {
                        l.contains(secret)
                            && !l.contains(&reborn.user_id)
                            && !l.contains(&reborn.family_id)
                    })
                    .count();
                let lines: Vec<&str> = dump
                    .lines()
                    .filter(|l| {
                        l.contains(secret)
                            && !l.contains(&reborn.user_id)
                            && !l.contains(&reborn.family_id)
                    })
                    .collect();
                assert_eq!(hits, 0, "{secret} is still stored: {lines:?}");
            }
            let cached = redis_dump().await;
            for secret in [alice.email.as_str(), alice.phone, alice.name.as_str()] {
                let lines: Vec<&String> = cached
                    .iter()
                    .filter(|l| l.contains(secret) && !l.contains(&reborn.family_id))
                    .collect();
                assert!(lines.is_empty(), "{secret} is still in Redis: {lines:?}");
            }
        }
    }
}

/// Every key of the shared Redis with its value (strings and hashes), one line each: what
/// `redis-cli --scan` and `GET`/`HGETALL` would show.
async fn redis_dump() -> Vec<String> {
    let client = redis::Client::open(calndr_testkit::redis_url()).expect("redis url");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect to redis");
    let mut keys: Vec<String> = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .expect("scan");
        keys.extend(batch);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    let mut lines = Vec::with_capacity(keys.len());
    for key in keys {
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .expect("type");
        let value: Vec<Vec<u8>> = match kind.as_str() {
            "string" => redis::cmd("GET")
                .arg(&key)
                .query_async::<Option<Vec<u8>>>(&mut conn)
                .await
                .expect("get")
                .into_iter()
                .collect(),
            "hash" => redis::cmd("HGETALL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .expect("hgetall"),
            _ => Vec::new(),
        };
        let value: Vec<String> = value
            .iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        lines.push(format!("{key} {}", value.join(" ")));
    }
    lines
}

/// Every row of every table of the app's schema, as `pg_dump --data-only` writes them.
async fn dump(app: &TestApp) -> String {
    let db = app.db.as_ref().expect("postgres");
    let out = std::process::Command::new("pg_dump")
        .args([
            "--data-only",
            "--schema",
            db.schema(),
            "--dbname",
            &db.url(),
        ])
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_member_deleting_deletes_the_family_with_everything_in_it() {
    let app = app(Backend::Postgres).await;
    let alice = app.register("Alice").await;
    let t = Some(alice.token.as_str());
    ok(&app
        .post_json(
            "/api/v1/events/",
            t,
            &json!({"event_date": "2026-12-12", "content": "Recital"}),
        )
        .await);
    ok(&app
        .post_json(
            "/api/v1/custody/",
            t,
            &json!({"date": "2026-12-10", "custodian_id": alice.user_id}),
        )
        .await);
    let res = delete_me(
        &app,
        &alice.token,
        Some(json!({"password": alice.password})),
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let db = sql(&app).await;
    for table in ["families", "events", "custody"] {
        let column = if table == "families" {
            "id"
        } else {
            "family_id"
        };
        let n: i64 = db
            .query_one(
                &format!("SELECT count(*) FROM {table} WHERE {column} = $1::text::uuid"),
                &[&alice.family_id],
            )
            .await
            .expect("count")
            .get(0);
        assert_eq!(n, 0, "{table}");
    }
}

/// A new account whose password is removed (as a Sign in with Apple account has none), and a
/// token of it issued 20 minutes ago: the account's token and the stale one.
pub async fn passwordless_with_stale_token(app: &TestApp) -> (String, String) {
    let alice = app.register("Alice").await;
    sql(app)
        .await
        .execute(
            "UPDATE users SET password_hash = NULL WHERE id = $1::text::uuid",
            &[&alice.user_id],
        )
        .await
        .expect("no password");
    let now = chrono::Utc::now().timestamp() as f64;
    let old = hs256_token(
        TEST_SECRET,
        &format!(
            r#"{{"sub":"{}","family_id":"{}","exp":{},"iat":{}}}"#,
            alice.user_id,
            alice.family_id,
            now + 86_400.0,
            now - 1_200.0
        ),
    );
    (alice.token, old)
}

/// `DELETE /users/me` with `token` and no body.
pub async fn delete_without_password(app: &TestApp, token: &str) -> TestResponse {
    delete_me(app, token, None).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_without_a_password_needs_a_sign_in_from_the_last_ten_minutes() {
    let app = app(Backend::Postgres).await;
    let (token, old) = passwordless_with_stale_token(&app).await;
    let stale = delete_me(&app, &old, None).await;
    assert_error(&stale, StatusCode::FORBIDDEN, "reauthentication_required");
    ok(&app.get("/api/v1/users/profile", Some(&token)).await);
    let fresh = delete_me(&app, &token, Some(json!({}))).await;
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/users/profile", Some(&old)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_accounts_photo_is_removed_from_storage_by_a_queued_job() {
    const BOUNDARY: &str = "calndr-deletion-boundary";
    for backend in [Backend::Memory, Backend::Postgres] {
        let app = app(backend).await;
        let alice = app.register("Alice").await;
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let uploaded = ok(&app
            .send(crate::support::multipart_post(
                "/api/v1/users/profile-photo",
                Some(&alice.token),
                crate::support::multipart(BOUNDARY, &[("file", "me.png", "image/png", &png)]),
                BOUNDARY,
            ))
            .await);
        let url = uploaded["url"].as_str().expect("url").to_owned();
        let path = url
            .split_once("/media")
            .map(|(_, p)| format!("/media{p}"))
            .expect("media path");
        assert_eq!(app.get(&path, None).await.status, StatusCode::OK);
        let res = delete_me(
            &app,
            &alice.token,
            Some(json!({"password": alice.password})),
        )
        .await;
        assert_eq!(res.status, StatusCode::NO_CONTENT, "{backend:?}");
        // The removal waits in the queue (committed with the deletion) until a worker runs it.
        assert_eq!(app.get(&path, None).await.status, StatusCode::OK);
        let report = app.worker.run_once().await.expect("worker");
        assert_eq!(report.delivered, 1, "{backend:?}: {report:?}");
        assert_eq!(
            app.get(&path, None).await.status,
            StatusCode::NOT_FOUND,
            "{backend:?}"
        );
        // Nothing else waits, and a second round finds nothing to do.
        let again = app.worker.run_once().await.expect("worker");
        assert_eq!(again.delivered + again.retried + again.dead, 0);
    }
}
