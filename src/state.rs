//! `AppState`: everything a request needs, built once at start-up and shared by `main`, the CLI
//! and the tests (no global statics).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::keys::{CellSigningKey, UnitSecret};
use crate::auth::token::{self, LocalKey};
use crate::config::{Secret, Settings};
use crate::db::{migrate, DbPool};
use crate::model::url::UnitUrl;

/// Shared server state. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DbPool,
    pub unit_url: UnitUrl,
    master_token: Secret,
    unit_secret: Arc<UnitSecret>,
    /// Unwrapped cell signing keys by cell id (safe to lose: reloaded from the database).
    pub signing_keys: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<CellSigningKey>>>>,
    /// Serialises the rare, slow generation of a cell's first signing key.
    pub key_generation: Arc<tokio::sync::Mutex<()>>,
    /// The one outbound HTTP client (timeouts set; redirects not followed).
    pub http: reqwest::Client,
    /// Public keys of cells on other Units.
    pub remote_certs: crate::domain::certs::RemoteCerts,
    /// Cells, ACLs and account roles on the authorization hot path.
    pub access_cache: Arc<crate::domain::cache::AccessCache>,
    /// File bodies.
    pub blobs: Arc<dyn crate::storage::BlobStore>,
}

impl AppState {
    /// Connects the database, applies migrations and resolves the master token.
    pub fn build(settings: Settings) -> anyhow::Result<AppState> {
        let unit_url = UnitUrl::parse(&settings.unit.url)?;
        std::fs::create_dir_all(&settings.storage.data_dir)?;
        let db = DbPool::connect(
            &settings.database_url(),
            settings.db.pool_size,
            Duration::from_secs(settings.db.connect_timeout_secs),
        )?;
        let applied = migrate::run_pending(&db)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        let master_token = resolve_master_token(&settings)?;
        let unit_secret = resolve_unit_secret(&settings)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(
                settings.security.certs_fetch_timeout_secs,
            ))
            .connect_timeout(Duration::from_secs(
                settings.security.certs_fetch_timeout_secs,
            ))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("unitcell/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let grace = Duration::from_secs(settings.storage.sweep_grace_secs);
        let blobs =
            crate::storage::LocalStore::open(settings.storage.data_dir.join("blobs"), grace)?;
        crate::domain::dav::files::sweep_orphans(&db, &blobs, grace)?;
        let access_cache_ttl = Duration::from_millis(settings.security.access_cache_ttl_ms);
        Ok(AppState {
            settings: Arc::new(settings),
            db,
            unit_url,
            master_token,
            unit_secret: Arc::new(unit_secret),
            signing_keys: Arc::default(),
            key_generation: Arc::default(),
            http,
            remote_certs: Default::default(),
            access_cache: Arc::new(crate::domain::cache::AccessCache::new(access_cache_ttl)),
            blobs: Arc::new(blobs),
        })
    }

    /// The unit master token; empty when disabled.
    pub fn master_token(&self) -> &Secret {
        &self.master_token
    }

    /// The unit secret key (derivations only; it never leaves the process).
    pub fn unit_secret(&self) -> &UnitSecret {
        &self.unit_secret
    }

    /// The key of a cell's local tokens (`AR~`, `RR~`, ...), by the cell's stable id.
    pub fn cell_token_key(&self, cell_id: &str) -> LocalKey {
        token::local_key(&self.unit_secret, cell_id)
    }

    /// The key of unit-local unit user tokens (`AU~`).
    pub fn unit_token_key(&self) -> LocalKey {
        token::unit_local_key(&self.unit_secret)
    }

    /// The URL of a cell under this Unit's URL mode.
    pub fn cell_url(&self, cell: &str) -> String {
        self.unit_url
            .cell_url(cell, self.settings.unit.cell_url_mode)
    }
}

/// The configured master token, or the one kept in `{data_dir}/master_token`, generated (mode
/// 0600) on first start. The token itself is never logged.
fn resolve_master_token(settings: &Settings) -> anyhow::Result<Secret> {
    if !settings.unit.master_token.is_empty() {
        return Ok(settings.unit.master_token.clone());
    }
    let path = settings.storage.data_dir.join("master_token");
    if path.exists() {
        let token = std::fs::read_to_string(&path)?.trim().to_owned();
        anyhow::ensure!(!token.is_empty(), "{} is empty", path.display());
        return Ok(Secret::new(token));
    }
    let token = generate_token();
    write_private(&path, &token)?;
    tracing::info!(path = %path.display(), "generated a unit master token");
    Ok(Secret::new(token))
}

/// The configured unit secret key, or the one in `{data_dir}/unit_secret`, generated (mode
/// 0600) on first start. Never logged, never stored in the database.
fn resolve_unit_secret(settings: &Settings) -> anyhow::Result<UnitSecret> {
    let configured = &settings.security.secret_key;
    if !configured.is_empty() {
        return UnitSecret::from_hex(configured.expose());
    }
    let path = settings.storage.data_dir.join("unit_secret");
    let existed = path.exists();
    let secret = UnitSecret::load_or_generate(&path)?;
    if !existed {
        tracing::info!(path = %path.display(), "generated the unit secret key");
    }
    Ok(secret)
}

/// 256 random bits, base64url.
fn generate_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
