//! `calndr`: the Calndr backend. `calndr serve` (default), `calndr worker`, `calndr migrate`,
//! `calndr seed`, `calndr healthcheck`.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use actix_web::HttpServer;
use calndr_server::config::Config;
use calndr_server::wiring::{build_state, Overrides};
use calndr_server::{telemetry, Environment};
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

#[derive(Parser)]
#[command(
    name = "calndr",
    version,
    about = "Calndr co-parenting calendar backend"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Deliver queued pushes and e-mails (retries with backoff) until SIGTERM; no HTTP.
    Worker,
    /// Send the weekly digest (the week from `--from`, default today) to every family's alert
    /// addresses, then exit. Run weekly by a scheduled task.
    Digest {
        /// First day of the week, YYYY-MM-DD (default: today, UTC).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a benchmark data set in CALNDR_DATABASE_URL: families of two parents (password
    /// `bench-password-1`) and two children, a year of custody, four events a month.
    Seed {
        /// How many families to add.
        #[arg(long, default_value_t = 500)]
        families: i32,
        /// The calendar year to fill (default: this year).
        #[arg(long)]
        year: Option<i32>,
        /// Write one access token per seeded family (parent one), a line each, to this file.
        #[arg(long)]
        tokens_out: Option<std::path::PathBuf>,
    },
    /// Exit 0 when the server on CALNDR_LISTEN_ADDR answers GET /health (container health check).
    Healthcheck {
        /// Address to probe instead of CALNDR_LISTEN_ADDR.
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
}

fn main() -> ExitCode {
    // One process-wide rustls crypto provider (Redis TLS); without it rustls panics on first use.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("calndr: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Healthcheck { addr }) = cli.command {
        return healthcheck(addr.unwrap_or(config.listen_addr));
    }
    telemetry::init(config.log_format);
    for w in &config.warnings {
        tracing::warn!("{w}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "could not start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Migrate) => migrate(&config).await,
            Some(Command::Worker) => worker(&config).await,
            Some(Command::Digest { from }) => digest(&config, from).await,
            Some(Command::Seed {
                families,
                year,
                tokens_out,
            }) => seed(&config, families, year, tokens_out).await,
            _ => serve(config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "calndr stopped with an error");
            ExitCode::FAILURE
        }
    }
}

async fn worker(config: &Config) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.database_url.is_some(),
        "CALNDR_DATABASE_URL is not set: the worker needs the shared job queue"
    );
    let wired = build_state(config, Overrides::default())?;
    calndr_server::worker::run(wired.worker, calndr_server::worker::termination()).await;
    Ok(())
}

async fn digest(config: &Config, from: Option<chrono::NaiveDate>) -> anyhow::Result<()> {
    let wired = build_state(config, Overrides::default())?;
    let from = from.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let report = wired.digest.send_weekly(from).await?;
    println!(
        "digest: {} families, {} e-mails queued or sent, {} failures",
        report.families, report.emails, report.failures
    );
    Ok(())
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = config
        .database_url
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("CALNDR_DATABASE_URL is not set: nothing to migrate"))?;
    let applied =
        calndr_postgres::run_migrations_tls(url.expose_secret(), &config.database_tls).await?;
    tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
    if let Some(service) = &config.database_service_url {
        let parsed = url::Url::parse(service.expose_secret())?;
        let password = parsed.password().unwrap_or_default();
        calndr_postgres::ensure_service_role(
            url.expose_secret(),
            &config.database_tls,
            parsed.username(),
            password,
        )
        .await?;
        tracing::info!(role = parsed.username(), "service role granted");
    }
    Ok(())
}

async fn seed(
    config: &Config,
    families: i32,
    year: Option<i32>,
    tokens_out: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use calndr_domain::{FamilyId, Password, UserId};
    use calndr_ports::{PasswordHasher as _, TokenService as _};
    let url = config
        .database_url
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("CALNDR_DATABASE_URL is not set: nothing to seed"))?;
    anyhow::ensure!(
        (1..=100_000).contains(&families),
        "--families must be 1..=100000"
    );
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now()));
    calndr_postgres::run_migrations(url.expose_secret()).await?;
    let hasher = calndr_security::Hashing::new(calndr_security::HashScheme::Argon2id, 1)?;
    let hash = hasher
        .hash(Password::presented("bench-password-1", "password")?)
        .await?;
    let parents = calndr_postgres::seed(url.expose_secret(), families, year, hash.as_str()).await?;
    tracing::info!(families, year, total_families = parents.len(), "seeded");
    if let Some(path) = tokens_out {
        let tokens = calndr_security::Tokens::new(config.jwt_secret.clone());
        let mut out = String::new();
        for (user, family) in parents {
            let issued = tokens
                .issue(UserId::from_uuid(user), Some(FamilyId::from_uuid(family)))
                .map_err(|e| anyhow::anyhow!("signing a token: {e}"))?;
            out.push_str(&issued.token);
            out.push('\n');
        }
        std::fs::write(&path, out)?;
        tracing::info!(path = %path.display(), "tokens written");
    }
    Ok(())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    if config.jwt_secret_generated {
        tracing::warn!(
            "no CALNDR_JWT_SECRET: using a random secret; tokens stop working at restart"
        );
    }
    match &config.database_url {
        Some(url) => {
            tracing::info!(database = %Config::redacted_url(url), "using PostgreSQL");
            if config.migrate_on_start {
                let applied =
                    calndr_postgres::run_migrations_tls(url.expose_secret(), &config.database_tls)
                        .await?;
                tracing::info!(count = applied.len(), "migrations applied at start");
            }
        }
        None => tracing::warn!(
            "no CALNDR_DATABASE_URL: running on the embedded in-memory store (data is lost at exit)"
        ),
    }
    if config.redis_url.is_none() {
        tracing::info!("no CALNDR_REDIS_URL: caching and rate limits are in-process");
    }
    if config.environment == Environment::Production && config.trust_forwarded_for {
        tracing::info!("client addresses taken from X-Forwarded-For (behind the load balancer)");
    }
    let wired = build_state(&config, Overrides::default())?;
    let state = wired.state;
    let drain = state.settings.drain.clone();
    let addr = config.listen_addr;
    let server = HttpServer::new(move || calndr_api::build_app(state.clone()))
        .workers(config.workers)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .bind(addr)?
        .run();
    tracing::info!(url = %format!("http://{addr}"), store = wired.store_kind, "calndr listening");
    println!("Calndr API listening on http://{addr} (docs: http://{addr}/api/v1/docs/index.html)");
    let handle = server.handle();
    tokio::spawn(async move {
        calndr_server::worker::termination().await;
        // Stop accepting; keep answering what arrives on open connections, with
        // `Connection: close`, for the grace; then a graceful stop bounded by the shutdown
        // timeout. Grace + timeout stay under the 30 s ECS stop timeout.
        tracing::info!("SIGTERM: draining");
        handle.pause().await;
        drain.start();
        tokio::time::sleep(DRAIN_GRACE).await;
        handle.stop(true).await;
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let background = config.inprocess_worker.then(|| {
        tokio::spawn(calndr_server::worker::run(wired.worker, async {
            let _ = stopped.await;
        }))
    });
    let served = server.await;
    let _ = stop.send(());
    if let Some(task) = background {
        let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    }
    served?;
    tracing::info!("calndr stopped");
    Ok(())
}

/// After SIGTERM: how long open connections keep being answered (with `Connection: close`).
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// Then: how long in-flight requests get before the workers are stopped.
const SHUTDOWN_TIMEOUT_SECS: u64 = 20;

fn healthcheck(addr: SocketAddr) -> ExitCode {
    let probe = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200"))
    };
    match probe() {
        Ok(true) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
