//! PostgreSQL over TLS for real: a second PostgreSQL on a free loopback port that accepts TLS
//! connections only (`hostssl` ... trust, `hostnossl` ... reject), with a server certificate for
//! `localhost` signed by a CA generated here with the openssl CLI.
#![expect(
    clippy::expect_used,
    reason = "test setup: a failed step of the server set-up fails the test"
)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use calndr_ports::HealthCheck as _;
use calndr_postgres::{ensure_service_role, run_migrations_tls, PgConfig, PgStore, PgTls, TlsMode};

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A PostgreSQL tool from PATH, else from the newest /usr/lib/postgresql/<version>/bin (Debian
/// and Ubuntu keep the server tools there, off PATH).
fn pg_tool(tool: &str) -> String {
    let on_path = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return tool.to_owned();
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.filter_map(|e| e.ok().map(|e| e.path().join("bin").join(tool)))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.exists());
    versions.sort();
    versions
        .pop()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| panic!("{tool} is neither on PATH nor in /usr/lib/postgresql/*/bin"))
}

/// PostgreSQL refuses to run as root: run its tools as the `postgres` user then.
fn pg(tool: &str) -> Command {
    let tool = pg_tool(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &tool]);
        c
    } else {
        Command::new(tool)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    run(Command::new("openssl").current_dir(dir).args(args));
}

/// A CA (`<name>-ca.pem`) and, signed by it, a certificate for localhost / 127.0.0.1.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let ca = format!("{name}-ca");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=Calndr test {ca}"),
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
        ],
    );
    dir.join(format!("{ca}.pem"))
}

fn make_server_cert(dir: &Path, ca: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .expect("write san.ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-days",
            "2",
            "-CA",
            &format!("{ca}-ca.pem"),
            "-CAkey",
            &format!("{ca}-ca.key"),
            "-CAcreateserial",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
}

struct TlsPostgres {
    dir: PathBuf,
    port: u16,
}

impl TlsPostgres {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("calndr-pg-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        make_ca(&dir, "good");
        make_ca(&dir, "other");
        make_server_cert(&dir, "good");
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir));
        }
        run(Command::new("chmod").arg("600").arg(dir.join("server.key")));
        let data = dir.join("data");
        run(pg("initdb")
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-D"])
            .arg(&data));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let conf = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{d}'\n\
             ssl = on\nssl_cert_file = '{d}/server.pem'\nssl_key_file = '{d}/server.key'\n",
            d = dir.display()
        );
        let mut pgconf = std::fs::read_to_string(data.join("postgresql.conf")).expect("conf");
        pgconf.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), pgconf).expect("write conf");
        std::fs::write(
            data.join("pg_hba.conf"),
            "hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .expect("write pg_hba");
        run(pg("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .arg("start"));
        Self { dir, port }
    }

    fn url(&self) -> String {
        format!("postgres://postgres@localhost:{}/postgres", self.port)
    }

    fn store(&self, mode: TlsMode, ca: &str) -> PgStore {
        let cfg = PgConfig {
            pool_size: 2,
            tls: self.tls(mode, ca),
            ..PgConfig::default()
        };
        PgStore::connect(&self.url(), None, &cfg).expect("pool")
    }

    fn tls(&self, mode: TlsMode, ca: &str) -> PgTls {
        PgTls {
            mode,
            ca_file: self.dir.join(format!("{ca}-ca.pem")),
        }
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = pg("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_over_tls_to_a_server_that_requires_it() {
    let server = TlsPostgres::start();

    // verify-full with the CA that signed the server's certificate: connected (the server rejects
    // every non-TLS connection, so this one is encrypted).
    server
        .store(TlsMode::VerifyFull, "good")
        .ping()
        .await
        .expect("verify-full with the right CA connects");

    // Plaintext is refused by the server.
    assert!(
        server.store(TlsMode::Disable, "good").ping().await.is_err(),
        "a plaintext connection must be refused"
    );

    // verify-full refuses a certificate from another CA ...
    assert!(
        server
            .store(TlsMode::VerifyFull, "other")
            .ping()
            .await
            .is_err(),
        "verify-full must refuse a server certificate of an unknown CA"
    );
    // ... which `require` accepts (encryption without authentication).
    server
        .store(TlsMode::Require, "other")
        .ping()
        .await
        .expect("require connects without checking the certificate");

    // The migrations run over TLS too.
    let applied = run_migrations_tls(&server.url(), &server.tls(TlsMode::VerifyFull, "good"))
        .await
        .expect("migrations over TLS");
    assert!(!applied.is_empty(), "a new database gets every migration");

    // `calndr migrate` then creates the service's role: it reads and writes the tables but
    // cannot change the schema. Run twice: the second run updates the password in place.
    let tls = server.tls(TlsMode::VerifyFull, "good");
    for _ in 0..2 {
        ensure_service_role(&server.url(), &tls, "calndr_app", "Abcdefghij0123456789xyz")
            .await
            .expect("service role");
    }
    let psql = |sql: &str| {
        pg("psql")
            .arg(format!(
                "postgres://calndr_app@localhost:{}/postgres?sslmode=require",
                server.port
            ))
            .args(["-v", "ON_ERROR_STOP=1", "-tAc", sql])
            .output()
            .expect("psql")
    };
    let read = psql("SELECT count(*) FROM users");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let ddl = psql("CREATE TABLE intruder (id int)");
    assert!(
        !ddl.status.success(),
        "the service role must not create tables"
    );
    let drop = psql("DROP TABLE users");
    assert!(
        !drop.status.success(),
        "the service role must not drop tables"
    );
}

#[test]
fn a_missing_ca_bundle_fails_at_start() {
    let tls = PgTls {
        mode: TlsMode::VerifyFull,
        ca_file: PathBuf::from("/nonexistent/rds-bundle.pem"),
    };
    let err = PgStore::connect(
        "postgres://x@localhost/x",
        None,
        &PgConfig {
            tls,
            ..PgConfig::default()
        },
    )
    .expect_err("no CA bundle, no pool");
    assert!(format!("{err:?}").contains("CA bundle"), "{err:?}");
}
