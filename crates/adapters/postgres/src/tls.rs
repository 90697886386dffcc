//! PostgreSQL over TLS (rustls): `CALNDR_DATABASE_TLS` = `disable` | `require` | `verify-full`.
//!
//! - `disable`: plaintext (local development, the test database).
//! - `require`: TLS, but the server's certificate is not checked (like libpq's `sslmode=require`):
//!   protects against a passive listener only.
//! - `verify-full`: TLS, the certificate chains to a CA of the bundle file (the RDS CA bundle baked
//!   into the image) and names the host of the URL.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use calndr_ports::StoreError;
use diesel::ConnectionResult;
use diesel_async::AsyncPgConnection;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Where deploy/Dockerfile puts the RDS CA bundle.
pub const DEFAULT_CA_FILE: &str = "/etc/ssl/certs/rds-global-bundle.pem";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Disable,
    Require,
    VerifyFull,
}

impl FromStr for TlsMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "disable" => Ok(Self::Disable),
            "require" => Ok(Self::Require),
            "verify-full" => Ok(Self::VerifyFull),
            _ => Err("must be disable, require or verify-full".into()),
        }
    }
}

/// How the pools and the migrations connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTls {
    pub mode: TlsMode,
    /// PEM bundle of the CAs trusted with `verify-full`.
    pub ca_file: PathBuf,
}

impl Default for PgTls {
    fn default() -> Self {
        Self {
            mode: TlsMode::Disable,
            ca_file: PathBuf::from(DEFAULT_CA_FILE),
        }
    }
}

impl PgTls {
    /// The rustls connector, or `None` for plaintext. Fails when the CA bundle cannot be read or
    /// holds no certificate, so that a misconfigured task stops at start, not at first query.
    pub fn connector(&self) -> Result<Option<MakeRustlsConnect>, StoreError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::unexpected(format!("database TLS: {e}")))?;
        let config = match self.mode {
            TlsMode::Disable => return Ok(None),
            TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth(),
            TlsMode::VerifyFull => builder
                .with_root_certificates(roots(&self.ca_file)?)
                .with_no_client_auth(),
        };
        Ok(Some(MakeRustlsConnect::new(config)))
    }
}

fn roots(file: &Path) -> Result<RootCertStore, StoreError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        StoreError::unexpected(format!(
            "database TLS: the CA bundle {} cannot be read: {e}",
            file.display()
        ))
    };
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(file).map_err(|e| unreadable(&e))? {
        store
            .add(cert.map_err(|e| unreadable(&e))?)
            .map_err(|e| unreadable(&e))?;
    }
    if store.is_empty() {
        return Err(unreadable(&"no certificate in it"));
    }
    Ok(store)
}

/// Connects one async connection over TLS (the pools' setup callback and the migrations).
pub async fn establish(url: String, tls: MakeRustlsConnect) -> ConnectionResult<AsyncPgConnection> {
    let (client, connection) = tokio_postgres::connect(&url, tls)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// `require`: any certificate, but the handshake signatures are still checked.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
