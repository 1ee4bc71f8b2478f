//! Settings: `config/default.toml` -> `config/{UNITCELL_ENV}.toml` -> `UNITCELL__SECTION__KEY`
//! environment variables (DESIGN.md "Shape of the code"; STYLE.md §4.5).
//!
//! Loaded once in `main`, validated, and carried in `AppState`; nothing reads the environment
//! after start-up.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A secret string whose `Debug` output is masked.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub unit: UnitSettings,
    pub security: SecuritySettings,
    pub storage: StorageSettings,
    pub cell_pages: CellPageSettings,
    pub db: DbSettings,
    pub odata: ODataSettings,
    pub webdav: WebDavSettings,
    pub log: LogSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub shutdown_timeout_secs: u64,
}

/// Unit-wide defaults of the cell page properties (spec §4.2, §5.4; Personium's
/// `cell.relayhtmlurl.default` and friends): used by cells without their own. Empty = none.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellPageSettings {
    pub relay_html_url: String,
    pub authorization_html_url: String,
    pub authorization_password_change_html_url: String,
}

/// How cell URLs are formed (spec §1.1).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CellUrlMode {
    /// `{unit}{cell}/`
    Path,
    /// `{scheme}://{cell}.{unit host}/`, routed by `Host`.
    Fqdn,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSettings {
    pub url: String,
    pub cell_url_mode: CellUrlMode,
    pub master_token: Secret,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecuritySettings {
    pub secret_key: Secret,
    pub auth_retry_interval_ms: i64,
    pub lock_count: i32,
    pub lock_secs: i64,
    pub access_token_secs: i64,
    pub refresh_token_secs: i64,
    pub unit_user_issuers: Vec<String>,
    pub certs_cache_secs: u64,
    pub certs_fetch_timeout_secs: u64,
    pub access_cache_ttl_ms: u64,
    /// Unit-wide Basic credentials a resource server may use at `__introspect` (Personium's
    /// `introspect.username` / `introspect.password`); either empty = disabled.
    #[serde(default)]
    pub introspect_username: String,
    #[serde(default)]
    pub introspect_password: Secret,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    pub data_dir: PathBuf,
    /// Largest file body a PUT may store, in bytes.
    pub max_file_bytes: u64,
    /// Age (seconds) past which start-up removes unfinished writes and unreferenced bodies.
    pub sweep_grace_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbSettings {
    pub url: Secret,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ODataSettings {
    pub top_default: u32,
    pub top_max: u32,
    pub skip_max: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebDavSettings {
    /// RFC 4918 semantics for DELETE and MOVE of collections and for PROPPATCH, where
    /// Personium differs (see config/default.toml).
    pub rfc4918: bool,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// The defaults, compiled in so the binary runs without its `config/` folder.
const DEFAULTS: &str = include_str!("../config/default.toml");

impl Settings {
    /// Loads the layered settings. `config_dir` holds the optional `{UNITCELL_ENV}.toml`.
    pub fn load(config_dir: &Path) -> anyhow::Result<Settings> {
        let env = std::env::var("UNITCELL_ENV").unwrap_or_else(|_| "local".to_owned());
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::from(config_dir.join(format!("{env}.toml"))).required(false))
            .add_source(
                config::Environment::with_prefix("UNITCELL")
                    .prefix_separator("__")
                    .separator("__"),
            )
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// The built-in defaults alone (tests build on this).
    pub fn defaults() -> anyhow::Result<Settings> {
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .build()?
            .try_deserialize()?;
        Ok(settings)
    }

    /// Checks values that serde cannot.
    pub fn validate(&self) -> anyhow::Result<()> {
        crate::model::url::UnitUrl::parse(&self.unit.url)?;
        anyhow::ensure!(self.db.pool_size > 0, "db.pool_size must be at least 1");
        anyhow::ensure!(
            self.odata.top_default <= self.odata.top_max,
            "odata.top_default exceeds odata.top_max"
        );
        Ok(())
    }

    /// The database URL with the SQLite default filled in.
    pub fn database_url(&self) -> String {
        if self.db.url.is_empty() {
            format!(
                "sqlite://{}",
                self.storage.data_dir.join("unitcell.db").display()
            )
        } else {
            self.db.url.expose().to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(
            dir.path().join("layered.toml"),
            "[server]\nlisten = \"0.0.0.0:9000\"\n[db]\npool_size = 3\n",
        )?;
        // Only this test sets these variables.
        std::env::set_var("UNITCELL_ENV", "layered");
        std::env::set_var("UNITCELL__DB__POOL_SIZE", "7");
        std::env::set_var("UNITCELL__UNIT__MASTER_TOKEN", "from-env");
        let loaded = Settings::load(dir.path());
        for k in [
            "UNITCELL_ENV",
            "UNITCELL__DB__POOL_SIZE",
            "UNITCELL__UNIT__MASTER_TOKEN",
        ] {
            std::env::remove_var(k);
        }
        let s = loaded?;
        assert_eq!(s.server.listen, "0.0.0.0:9000");
        assert_eq!(s.db.pool_size, 7);
        assert_eq!(s.unit.master_token.expose(), "from-env");
        assert_eq!(format!("{:?}", s.unit.master_token), "***");
        assert_eq!(s.odata.top_default, 25);
        Ok(())
    }

    #[test]
    fn defaults_are_valid() -> anyhow::Result<()> {
        let s = Settings::defaults()?;
        s.validate()?;
        assert!(s.database_url().starts_with("sqlite://"));
        Ok(())
    }
}
