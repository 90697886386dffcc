//! The job worker's loop: `calndr worker` runs it alone; `calndr serve` runs it beside the HTTP
//! server unless `CALNDR_INPROCESS_WORKER=false` (a dedicated worker service does the work).

use std::future::Future;

use calndr_app::JobWorker;

/// Works the delivery queue until `shutdown` resolves; the batch in hand is finished first.
pub async fn run(worker: JobWorker, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    tracing::info!("job worker started");
    loop {
        let round = worker.run_once().await;
        if let Err(e) = &round {
            tracing::warn!(error = %e, "job queue unreachable; retrying");
        }
        let pause = worker.pause_after(&round);
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    tracing::info!("job worker stopped");
}

/// Resolves on SIGTERM (ECS stopping the task) or Ctrl-C.
pub async fn termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
