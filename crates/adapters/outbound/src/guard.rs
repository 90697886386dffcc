//! One guarded way to fetch a URL a user gave us (a school's website, a calendar feed).
//!
//! The original fetched any URL, including the cloud metadata endpoints (169.254.169.254 and the
//! ECS credentials endpoint 169.254.170.2) and hosts inside the VPC. Here:
//! * only `http` and `https`;
//! * every address a host name resolves to is checked, and the connection can only go to the
//!   checked addresses (the check lives in the DNS resolver the HTTP client uses, so a second
//!   lookup cannot swap in another address); a literal IP in the URL is checked the same way;
//! * loopback, private, link-local, shared (CGNAT), unique-local, multicast, unspecified and
//!   reserved ranges are refused, also when wrapped in IPv6 (IPv4-mapped, IPv4-compatible, NAT64,
//!   6to4);
//! * redirects are followed by hand, at most 3, each target checked again;
//! * at most 2 MiB of body and 10 s for the whole fetch.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use url::Url;

/// Why an address may not be fetched, or `None` when it is a public unicast address.
pub fn forbidden_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match () {
        () if a == 0 => "unspecified",
        () if ip.is_loopback() => "loopback",
        () if ip.is_private() => "private",
        () if ip.is_link_local() => "link-local",
        () if a == 100 && (64..128).contains(&b) => "shared address space",
        () if ip.is_multicast() => "multicast",
        () if ip.is_broadcast() || a >= 240 => "reserved",
        () if a == 192 && b == 0 && c == 0 => "reserved",
        () if a == 198 && (b == 18 || b == 19) => "reserved",
        () if ip.is_documentation() => "documentation",
        () => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    Some(match () {
        () if ip.is_unspecified() => "unspecified",
        () if ip.is_loopback() => "loopback",
        // ::ffff:a.b.c.d (IPv4-mapped): judged as the IPv4 address it stands for.
        () if s[..6] == [0, 0, 0, 0, 0, 0xffff] => return forbidden_v4(embedded_v4(s[6], s[7])),
        // ::a.b.c.d (IPv4-compatible, deprecated): never a public destination.
        () if s[..6] == [0; 6] => "IPv4-compatible",
        // NAT64 64:ff9b::a.b.c.d
        () if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] => {
            return forbidden_v4(embedded_v4(s[6], s[7]));
        }
        // 6to4 2002:aabb:ccdd::/48
        () if s[0] == 0x2002 => return forbidden_v4(embedded_v4(s[1], s[2])),
        () if s[0] & 0xfe00 == 0xfc00 => "unique-local",
        () if s[0] & 0xffc0 == 0xfe80 => "link-local",
        () if s[0] & 0xffc0 == 0xfec0 => "site-local",
        () if s[0] & 0xff00 == 0xff00 => "multicast",
        () if s[0] == 0x2001 && s[1] == 0x0db8 => "documentation",
        () if s[0] == 0x2001 && s[1] == 0 => "Teredo",
        () => return None,
    })
}

/// Why a fetch did not return a body. The messages never contain the URL (it may carry a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not a URL, or a URL without a host.
    BadUrl,
    /// Not `http` or `https`.
    ForbiddenScheme,
    /// The host is, or resolves only to, an address that must not be reached.
    ForbiddenAddress(&'static str),
    TooManyRedirects,
    /// The body is longer than the limit.
    TooLarge,
    Timeout,
    /// The server answered with this non-success status.
    Status(u16),
    /// Connecting or reading failed.
    Network,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadUrl => f.write_str("not a valid http(s) URL"),
            Self::ForbiddenScheme => f.write_str("only http and https URLs can be fetched"),
            Self::ForbiddenAddress(why) => write!(f, "the address is not allowed ({why})"),
            Self::TooManyRedirects => f.write_str("too many redirects"),
            Self::TooLarge => f.write_str("the response is too large"),
            Self::Timeout => f.write_str("the site did not answer in time"),
            Self::Status(code) => write!(f, "the site answered HTTP {code}"),
            Self::Network => f.write_str("the site could not be reached"),
        }
    }
}

impl std::error::Error for FetchError {}

/// Limits of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
    pub max_redirects: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        Self {
            max_bytes: 2 * 1024 * 1024,
            timeout: Duration::from_secs(10),
            max_redirects: 3,
        }
    }
}

/// A fetched document.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the document was found, after redirects.
    pub url: Url,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Resolves host names and keeps only the addresses that may be reached.
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| forbidden_reason(a.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let why = found
                    .first()
                    .and_then(|a| forbidden_reason(a.ip()))
                    .unwrap_or("no address");
                return Err(Box::new(FetchError::ForbiddenAddress(why)) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Fetches user-supplied URLs under the rules of this module.
#[derive(Clone)]
pub struct SafeFetcher {
    client: reqwest::Client,
    limits: FetchLimits,
    /// Literal socket addresses exempt from the address rules: only for tests that serve a local
    /// fake (never configured in production; host names are never exempt).
    exempt: Arc<Vec<SocketAddr>>,
}

impl SafeFetcher {
    pub fn new(limits: FetchLimits) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver))
            .connect_timeout(limits.timeout)
            .timeout(limits.timeout)
            .user_agent(concat!("Calndr/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            limits,
            exempt: Arc::new(Vec::new()),
        })
    }

    /// Lets this fetcher reach the given literal addresses (a local fake server in tests).
    pub fn exempting(mut self, addrs: &[SocketAddr]) -> Self {
        self.exempt = Arc::new(addrs.to_vec());
        self
    }

    fn check(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::ForbiddenScheme);
        }
        let literal = match url.host() {
            None => return Err(FetchError::BadUrl),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            // Names are checked by the resolver, address by address.
            Some(url::Host::Domain(_)) => return Ok(()),
        };
        let port = url.port_or_known_default().unwrap_or(0);
        if self.exempt.contains(&SocketAddr::new(literal, port)) {
            return Ok(());
        }
        match forbidden_reason(literal) {
            Some(why) => Err(FetchError::ForbiddenAddress(why)),
            None => Ok(()),
        }
    }

    /// GETs `raw`, following at most `max_redirects` checked redirects.
    pub async fn get(&self, raw: &str) -> Result<Fetched, FetchError> {
        let url = Url::parse(raw.trim()).map_err(|_| FetchError::BadUrl)?;
        tokio::time::timeout(self.limits.timeout, self.follow(url))
            .await
            .unwrap_or(Err(FetchError::Timeout))
    }

    async fn follow(&self, mut url: Url) -> Result<Fetched, FetchError> {
        for _ in 0..=self.limits.max_redirects {
            self.check(&url)?;
            let response = crate::retry::send_idempotent(self.client.get(url.clone()))
                .await
                .map_err(classify)?;
            let status = response.status();
            if status.is_redirection() {
                let next = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or(FetchError::Status(status.as_u16()))?;
                url = next;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            return self.read(url, response).await;
        }
        Err(FetchError::TooManyRedirects)
    }

    async fn read(&self, url: Url, mut response: reqwest::Response) -> Result<Fetched, FetchError> {
        let max = self.limits.max_bytes;
        if response
            .content_length()
            .is_some_and(|n| usize::try_from(n).map_or(true, |n| n > max))
        {
            return Err(FetchError::TooLarge);
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            url,
            content_type,
            body,
        })
    }
}

/// Maps a client error, finding our resolver's refusal inside it.
fn classify(e: reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(f) = s.downcast_ref::<FetchError>() {
            return f.clone();
        }
        source = s.source();
    }
    if e.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Network
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(s: &str) -> Option<&'static str> {
        forbidden_reason(s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)))
    }

    #[test]
    fn every_forbidden_kind_is_refused() {
        for (ip, why) in [
            ("0.0.0.0", "unspecified"),
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("169.254.170.2", "link-local"),
            ("100.64.0.1", "shared address space"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.250", "multicast"),
            ("255.255.255.255", "reserved"),
            ("240.0.0.1", "reserved"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"),
            ("::ffff:10.0.0.1", "private"),
            ("::127.0.0.1", "IPv4-compatible"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("2002:a9fe:a9fe::1", "link-local"),
            ("fc00::1", "unique-local"),
            ("fd12:3456::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("2001:db8::1", "documentation"),
        ] {
            assert_eq!(reason(ip), Some(why), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "::ffff:93.184.216.34",
            "2606:4700:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert_eq!(reason(ip), None, "{ip}");
        }
    }
}
