//! A TCP proxy on loopback for fault tests: it forwards to PostgreSQL or Redis until a test tells
//! it to stall (every connection stops forwarding, nothing is closed: a frozen server or a
//! silent network) or to go down (every connection is closed and new ones are dropped as they
//! arrive: a server that restarts).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bytes flow both ways.
    Forward,
    /// Bytes wait in the proxy; connections stay open.
    Stall,
    /// Connections are closed; a new one is closed as soon as it is accepted.
    Down,
}

/// A running proxy; it stops with the test's runtime.
#[derive(Clone)]
pub struct Proxy {
    addr: SocketAddr,
    mode: Arc<watch::Sender<Mode>>,
    /// The local ports of the proxy's connections to the server (PostgreSQL shows them as
    /// `pg_stat_activity.client_port`).
    upstream_ports: Arc<Mutex<Vec<u16>>>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address");
        let (mode, _) = watch::channel(Mode::Forward);
        let proxy = Proxy {
            addr,
            mode: Arc::new(mode),
            upstream_ports: Arc::new(Mutex::new(Vec::new())),
        };
        let upstream = upstream.to_owned();
        let accepting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let proxy = accepting.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move { proxy.serve(client, &upstream).await });
            }
        });
        proxy
    }

    async fn serve(&self, client: TcpStream, upstream: &str) {
        if *self.mode.borrow() == Mode::Down {
            return;
        }
        let Ok(server) = TcpStream::connect(upstream).await else {
            return;
        };
        if let Ok(local) = server.local_addr() {
            if let Ok(mut ports) = self.upstream_ports.lock() {
                ports.push(local.port());
            }
        }
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        let up = pump(client_read, server_write, self.mode.subscribe());
        let down = pump(server_read, client_write, self.mode.subscribe());
        tokio::join!(up, down);
    }

    /// `host:port` of the proxy.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }

    /// The local ports of every connection the proxy opened to the server so far.
    pub fn upstream_ports(&self) -> Vec<u16> {
        self.upstream_ports
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }
}

/// Copies `from` to `to` chunk by chunk, holding a chunk while stalled, until either side closes
/// or the proxy goes down.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut mode: watch::Receiver<Mode>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            read = from.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            },
            _ = mode.wait_for(|m| *m == Mode::Down) => break,
        };
        let Ok(now) = mode.wait_for(|m| *m != Mode::Stall).await.map(|m| *m) else {
            break;
        };
        if now == Mode::Down || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// `url` with its `host:port` replaced by the proxy's (the first occurrence of `upstream`).
pub fn through(url: &str, upstream: &str, proxy: &Proxy) -> String {
    url.replacen(upstream, &proxy.addr().to_string(), 1)
}

/// The `host:port` a `postgres://` or `redis://` URL names (port defaulted by scheme).
pub fn host_port(url: &str) -> String {
    let default_port = if url.starts_with("redis") { 6379 } else { 5432 };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    }
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn the_address_of_a_url() {
        assert_eq!(
            host_port("postgres://postgres@127.0.0.1:5432/calndr_test?options=x"),
            "127.0.0.1:5432"
        );
        assert_eq!(host_port("redis://127.0.0.1:6379"), "127.0.0.1:6379");
        assert_eq!(host_port("redis://localhost/0"), "localhost:6379");
        assert_eq!(host_port("postgres://u:p@db/x"), "db:5432");
    }
}
