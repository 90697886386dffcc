//! The `calndr` binary as a process (issue #12): what only a real process shows.
//!
//! * SIGTERM under load: requests in flight and requests on kept-alive connections (busy and
//!   idle) are answered, the answers after SIGTERM close their connections, nothing is reset,
//!   and the process exits 0 well within the ECS stop timeout (30 s).
//! * No personal data in the log at `RUST_LOG=trace`: a whole sign-up, login, password change
//!   and enrollment on PostgreSQL and Redis, then the log is searched for every e-mail address,
//!   phone number, name, password, password hash, token and enrollment code involved.
//!
//! Plain HTTP/1.1 over `std::net::TcpStream`, so what the server does to a connection (an
//! answer, a close, a reset) is seen as it is, with no client pool in between.
#![expect(
    clippy::expect_used,
    reason = "test setup: a failed step of the set-up fails the test"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_calndr");
const SECRET: &str = "calndr-process-test-secret-0123456789abcdef";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    /// Starts `calndr serve` with `env` (plus a listen address, a secret and a log file) and
    /// waits until `/health` answers.
    fn start(env: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::env::temp_dir().join(format!("calndr-process-{}.log", uuid::Uuid::new_v4()));
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let mut cmd = Command::new(BIN);
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CALNDR_LISTEN_ADDR", &addr)
            .env("CALNDR_JWT_SECRET", SECRET)
            .env("CALNDR_WEATHER_ENABLED", "false")
            .env("CALNDR_CALENDARS_ENABLED", "false")
            .env("CALNDR_LOG_FORMAT", "json")
            .env("CALNDR_WORKERS", "2")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start calndr");
        let server = Server { child, addr, log };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(mut c) = Conn::open(&server.addr) {
                if c.send("GET", "/health", &[], b"")
                    .is_ok_and(|r| r.status == 200)
                {
                    return server;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("calndr did not start: {}", server.log_text());
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// The exit status and how long the process took to exit, at most `limit`.
    fn wait_exit(&mut self, limit: Duration) -> Option<(std::process::ExitStatus, Duration)> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some((status, start.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

#[derive(Debug)]
struct Answer {
    status: u16,
    /// `Connection: close` on the answer.
    closes: bool,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One kept-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: &str) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(40)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
        })
    }

    fn write(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<()> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        self.writer.write_all(&bytes)
    }

    fn read(&mut self) -> std::io::Result<Answer> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed before an answer",
            ));
        }
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut closes) = (0usize, false);
        loop {
            let mut header = String::new();
            self.reader.read_line(&mut header)?;
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let (name, value) = (
                name.trim().to_ascii_lowercase(),
                value.trim().to_ascii_lowercase(),
            );
            if name == "content-length" {
                length = value.parse().unwrap_or(0);
            } else if name == "connection" && value == "close" {
                closes = true;
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok(Answer {
            status,
            closes,
            body,
        })
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<Answer> {
        self.write(method, path, headers, body)?;
        self.read()
    }
}

fn json_post(conn: &mut Conn, path: &str, token: Option<&str>, body: &serde_json::Value) -> Answer {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    conn.send("POST", path, &headers, body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

fn register(
    conn: &mut Conn,
    email: &str,
    password: &str,
    first: &str,
    last: &str,
    phone: &str,
) -> serde_json::Value {
    let res = json_post(
        conn,
        "/api/v1/auth/register",
        None,
        &serde_json::json!({"first_name": first, "last_name": last, "email": email,
                            "password": password, "phone_number": phone}),
    );
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

/// What happened to one request of the drain test.
#[derive(Debug)]
struct Sent {
    /// When its last byte was written, from the test's start.
    written: Duration,
    outcome: Result<Answer, String>,
}

#[test]
fn sigterm_under_load_answers_every_request_sent_before_it_resets_none_and_exits_in_time() {
    // No rate limits: the load logs one user in, again and again, from one address.
    let mut server = Server::start(&[
        ("CALNDR_PASSWORD_HASH", "argon2id"),
        ("CALNDR_RATE_LIMITS", "false"),
    ]);
    let mut setup = Conn::open(&server.addr).expect("connect");
    let password = "Drain-pass-12345";
    let token = register(
        &mut setup,
        "drain.parent@example.com",
        password,
        "Dana",
        "Drain",
        "+15555550100",
    )["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let login = format!("username=drain.parent%40example.com&password={password}");

    // 8 busy connections (log-ins, slow: a password hash each, and profile reads, back to back)
    // and 8 idle ones, which send one GET the moment SIGTERM has been sent.
    let busy = 8;
    let idle = 8;
    let start = Instant::now();
    let sigterm_at = Arc::new(std::sync::OnceLock::<Duration>::new());
    let go_idle = Arc::new(Barrier::new(idle + 1));
    let mut threads = Vec::new();
    for i in 0..busy {
        let (addr, token, login) = (server.addr.clone(), token.clone(), login.clone());
        threads.push(std::thread::spawn(move || {
            let mut conn = Conn::open(&addr).expect("connect");
            let mut sent = Vec::new();
            for n in 0.. {
                let written = if (i + n) % 2 == 0 {
                    conn.write(
                        "POST",
                        "/api/v1/auth/token",
                        &[("Content-Type", "application/x-www-form-urlencoded")],
                        login.as_bytes(),
                    )
                } else {
                    let bearer = format!("Bearer {token}");
                    conn.write(
                        "GET",
                        "/api/v1/users/profile",
                        &[("Authorization", &bearer)],
                        b"",
                    )
                };
                let at = start.elapsed();
                let outcome = written
                    .and_then(|()| conn.read())
                    .map_err(|e| e.to_string());
                let stop = !matches!(&outcome, Ok(a) if !a.closes);
                sent.push(Sent {
                    written: at,
                    outcome,
                });
                if stop || start.elapsed() > Duration::from_secs(20) {
                    break;
                }
            }
            sent
        }));
    }
    for _ in 0..idle {
        let (addr, go, token) = (server.addr.clone(), go_idle.clone(), token.clone());
        threads.push(std::thread::spawn(move || {
            let mut conn = Conn::open(&addr).expect("connect");
            let bearer = format!("Bearer {token}");
            let first = conn.send(
                "GET",
                "/api/v1/users/profile",
                &[("Authorization", &bearer)],
                b"",
            );
            let mut sent = vec![Sent {
                written: start.elapsed(),
                outcome: first.map_err(|e| e.to_string()),
            }];
            go.wait();
            // Once the server has taken the signal (it is asynchronous), well inside the drain.
            std::thread::sleep(Duration::from_millis(300));
            let written = conn.write(
                "GET",
                "/api/v1/users/profile",
                &[("Authorization", &bearer)],
                b"",
            );
            let at = start.elapsed();
            sent.push(Sent {
                written: at,
                outcome: written
                    .and_then(|()| conn.read())
                    .map_err(|e| e.to_string()),
            });
            sent
        }));
    }
    std::thread::sleep(Duration::from_millis(2500));
    sigterm_at.set(start.elapsed()).expect("once");
    server.sigterm();
    go_idle.wait();
    let per_connection: Vec<Vec<Sent>> = threads
        .into_iter()
        .map(|t| t.join().expect("client thread"))
        .collect();
    // Every connection ends with an answer that closes it (the busy ones send until they get it).
    let ended_by_a_close = per_connection
        .iter()
        .filter(|c| matches!(c.last().map(|s| &s.outcome), Some(Ok(a)) if a.closes))
        .count();
    let all: Vec<Sent> = per_connection.into_iter().flatten().collect();
    let exited = server.wait_exit(Duration::from_secs(30));

    let sigterm = *sigterm_at.get().expect("sent");
    let before: Vec<&Sent> = all.iter().filter(|s| s.written < sigterm).collect();
    let after: Vec<&Sent> = all.iter().filter(|s| s.written >= sigterm).collect();
    let failed = |v: &[&Sent]| {
        v.iter()
            .filter(|s| !matches!(&s.outcome, Ok(a) if a.status < 300))
            .count()
    };
    let closing_after = after
        .iter()
        .filter(|s| matches!(&s.outcome, Ok(a) if a.closes))
        .count();
    println!(
        "SIGTERM under load ({busy} busy + {idle} idle kept-alive connections): {} requests sent before it, {} not answered 2xx; {} sent after it (on open connections), {} not answered 2xx, {} answered with Connection: close; {} of {} connections ended by an answer with Connection: close; exit {:?}",
        before.len(),
        failed(&before),
        after.len(),
        failed(&after),
        closing_after,
        ended_by_a_close,
        busy + idle,
        exited.as_ref().map(|(s, d)| (s.code(), d.as_millis()))
    );
    let mut by_outcome = std::collections::BTreeMap::<String, usize>::new();
    for s in &all {
        let key = match &s.outcome {
            Ok(a) => a.status.to_string(),
            Err(e) => e.clone(),
        };
        *by_outcome.entry(key).or_default() += 1;
    }
    println!("outcomes: {by_outcome:?}");
    assert!(
        before.len() > busy + idle,
        "load was running: {}",
        before.len()
    );
    assert_eq!(
        failed(&before),
        0,
        "requests sent before SIGTERM: {by_outcome:?}"
    );
    assert!(
        after.len() >= idle,
        "every idle connection sent one after SIGTERM"
    );
    assert_eq!(
        failed(&after),
        0,
        "requests on open connections during the drain: {after:?}"
    );
    assert_eq!(
        closing_after,
        after.len(),
        "each answer after SIGTERM closes its connection"
    );
    assert_eq!(
        ended_by_a_close,
        busy + idle,
        "no connection ends in a reset or a silent close"
    );
    let (status, took) = exited.expect("the process exits within the ECS stop timeout (30 s)");
    assert!(
        status.success(),
        "exit status {status:?}: {}",
        server.log_text()
    );
    assert!(
        took < Duration::from_secs(25),
        "exited {took:?} after the last answer"
    );
}

/// A fresh database for one test; dropped at the end.
struct Database {
    name: String,
    runtime: tokio::runtime::Runtime,
}

fn server_url() -> String {
    std::env::var("CALNDR_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl Database {
    fn create() -> Database {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let name = format!("calndr_process_{}", uuid::Uuid::new_v4().simple());
        let db = Database { name, runtime };
        db.admin(&format!("CREATE DATABASE {}", db.name));
        db
    }

    fn url(&self) -> String {
        let base = server_url();
        let (base, _) = base.rsplit_once('/').expect("a database URL");
        format!("{base}/{}", self.name)
    }

    fn admin(&self, sql: &str) {
        self.on(&server_url(), sql);
    }

    fn on(&self, url: &str, sql: &str) -> Vec<String> {
        self.runtime.block_on(async {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("connect to PostgreSQL");
            tokio::spawn(conn);
            let rows = client.simple_query(sql).await.expect("query");
            rows.into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                        (0..r.len())
                            .filter_map(|i| r.get(i).map(str::to_owned))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    _ => None,
                })
                .collect()
        })
    }

    fn query(&self, sql: &str) -> Vec<String> {
        self.on(&self.url(), sql)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.admin(&sql)));
    }
}

#[test]
fn a_trace_level_log_of_sign_up_login_password_change_and_enrollment_holds_no_personal_data() {
    let db = Database::create();
    let url = db.url();
    let redis = std::env::var("CALNDR_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    let mut server = Server::start(&[
        ("RUST_LOG", "trace"),
        ("CALNDR_DATABASE_URL", &url),
        ("CALNDR_REDIS_URL", &redis),
        ("CALNDR_MIGRATE_ON_START", "true"),
        ("CALNDR_PASSWORD_HASH", "argon2id"),
        // The shared Redis keeps per-IP sign-up counts across runs (every request here comes
        // from 127.0.0.1): with limits on, the fifth run within an hour would be refused.
        ("CALNDR_RATE_LIMITS", "false"),
    ]);
    let mut conn = Conn::open(&server.addr).expect("connect");
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let (alice_email, bob_email) = (
        format!("alice.{tag}@example.com"),
        format!("bob.{tag}@example.com"),
    );
    let (old_password, new_password, bob_password) = (
        "Zq7-old-passphrase",
        "Zq7-new-passphrase",
        "Zq7-bob-passphrase",
    );
    let (alice_phone, bob_phone) = ("+15555550123", "+15555550177");
    let mut secrets: Vec<String> = vec![
        alice_email.clone(),
        bob_email.clone(),
        old_password.into(),
        new_password.into(),
        bob_password.into(),
        alice_phone.into(),
        bob_phone.into(),
        "5555550123".into(),
        "5555550177".into(),
        "Zebulon".into(),
        "Quixotic".into(),
        "Yolanda".into(),
        "Xerxesby".into(),
    ];

    // Sign-up, then log-in with the form the app sends.
    let alice = register(
        &mut conn,
        &alice_email,
        old_password,
        "Zebulon",
        "Quixotic",
        alice_phone,
    );
    let token = alice["access_token"].as_str().expect("token").to_owned();
    let login = conn
        .send(
            "POST",
            "/api/v1/auth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            format!(
                "username={}&password={old_password}",
                alice_email.replace('@', "%40")
            )
            .as_bytes(),
        )
        .expect("log-in");
    assert_eq!(
        login.status,
        200,
        "{}",
        String::from_utf8_lossy(&login.body)
    );
    secrets.push(
        login.json()["access_token"]
            .as_str()
            .expect("token")
            .to_owned(),
    );
    // The password change the app sends: both passwords in the query string.
    let bearer = format!("Bearer {token}");
    let changed = conn
        .send(
            "POST",
            &format!("/api/v1/auth/change-password?current_password={old_password}&new_password={new_password}"),
            &[("Authorization", &bearer)],
            b"",
        )
        .expect("change password");
    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    // Enrollment: a code for the co-parent, checked, then the co-parent joins with it.
    let created = json_post(
        &mut conn,
        "/api/v1/enrollment/create-code",
        Some(&token),
        &serde_json::json!({}),
    );
    assert_eq!(
        created.status,
        200,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let code = created.json()["enrollmentCode"]
        .as_str()
        .expect("code")
        .to_owned();
    let checked = conn
        .send(
            "POST",
            &format!("/api/v1/auth/verify-enrollment-code?enrollment_code={code}"),
            &[],
            b"",
        )
        .expect("verify code");
    assert_eq!(
        checked.status,
        200,
        "{}",
        String::from_utf8_lossy(&checked.body)
    );
    let joined = json_post(
        &mut conn,
        "/api/v1/auth/register-with-family",
        None,
        &serde_json::json!({"first_name": "Yolanda", "last_name": "Xerxesby", "email": bob_email,
                            "password": bob_password, "phone_number": bob_phone,
                            "enrollment_code": code, "family_id": null}),
    );
    assert_eq!(
        joined.status,
        200,
        "{}",
        String::from_utf8_lossy(&joined.body)
    );
    let bob_token = joined.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let bob_bearer = format!("Bearer {bob_token}");
    let profile = conn
        .send(
            "GET",
            "/api/v1/users/profile",
            &[("Authorization", &bob_bearer)],
            b"",
        )
        .expect("profile");
    assert_eq!(profile.status, 200);
    secrets.extend([token, bob_token, code]);
    server.sigterm();
    let _ = server.wait_exit(Duration::from_secs(30));

    for hash in db.query("SELECT password_hash FROM users") {
        secrets.push(hash);
    }
    // A token's signature alone is a secret too (the header and claims are not).
    let signatures: Vec<String> = secrets
        .iter()
        .filter(|s| s.matches('.').count() == 2 && s.starts_with("ey"))
        .filter_map(|t| t.rsplit('.').next().map(str::to_owned))
        .collect();
    secrets.extend(signatures);

    let log = server.log_text();
    let lines = log.lines().count();
    assert!(lines > 20, "the server logged the requests: {log}");
    assert!(
        log.contains("\"level\":\"DEBUG\"") || log.contains("\"level\":\"TRACE\""),
        "the log is at trace: {log}"
    );
    assert!(
        log.contains("/auth/change-password") || log.contains("http.route"),
        "requests are logged"
    );
    let leaked: Vec<&String> = secrets
        .iter()
        .filter(|s| !s.is_empty() && log.contains(s.as_str()))
        .collect();
    println!(
        "RUST_LOG=trace, sign-up x2, log-in, password change, enrollment: {lines} log lines, {} secrets searched, {} found",
        secrets.len(),
        leaked.len()
    );
    assert!(
        leaked.is_empty(),
        "personal data or secrets in the log: {leaked:?}"
    );
}
