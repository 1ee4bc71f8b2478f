//! The `unitcell` command: `serve`, `migrate`, and `cell create|list|delete` (admin
//! conveniences over the same domain code the HTTP API uses).

use std::path::PathBuf;

use actix_web::{App, HttpServer};
use clap::{Parser, Subcommand};

use unitcell::auth::{AccessContext, Principal};
use unitcell::config::Settings;
use unitcell::{configure, AppState};

/// mimalloc: far less time in the allocator than glibc's under many threads (measured with
/// bench/auth.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "unitcell",
    version,
    about = "A personal data store server speaking the Personium API"
)]
struct Cli {
    /// Folder holding the optional {UNITCELL_ENV}.toml override file.
    #[arg(long, global = true, default_value = "config")]
    config_dir: PathBuf,
    /// Data directory (SQLite database, generated secrets, file bodies).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// Listen address, e.g. 127.0.0.1:8000.
        #[arg(long)]
        listen: Option<String>,
        /// Public URL of the Unit, e.g. http://localhost:8000/.
        #[arg(long)]
        unit_url: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage cells.
    Cell {
        #[command(subcommand)]
        action: CellAction,
    },
}

#[derive(Subcommand)]
enum CellAction {
    /// Create a cell.
    Create { name: String },
    /// List cells.
    List,
    /// Delete a cell (with --recursive, everything in it).
    Delete {
        name: String,
        #[arg(long)]
        recursive: bool,
    },
}

fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(&cli.config_dir)?;
    if let Some(dir) = &cli.data_dir {
        settings.storage.data_dir = dir.clone();
    }
    if let Command::Serve { listen, unit_url } = &cli.command {
        if let Some(listen) = listen {
            settings.server.listen = listen.clone();
        }
        if let Some(url) = unit_url {
            settings.unit.url = url.clone();
        }
    }
    settings.validate()?;
    Ok(settings)
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = load_settings(&cli)?;
    let _log_guard = unitcell::telemetry::init(&settings.log);
    match cli.command {
        Command::Serve { .. } => serve(settings).await,
        Command::Migrate => {
            AppState::build(settings)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Cell { action } => cell_command(settings, action).await,
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.server.listen.clone();
    let workers = settings.server.workers;
    let shutdown = settings.server.shutdown_timeout_secs;
    let state = AppState::build(settings)?;
    tracing::info!(%listen, unit = %state.unit_url.as_str(), "unitcell listening");
    let mut server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        // Headers and a small body leave in separate writes; with Nagle's algorithm on, the
        // second waits for the client's delayed ACK (about 40 ms) on a kept-alive connection.
        .on_connect(|conn, _ext| {
            if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "TCP_NODELAY not set");
                }
            }
        })
        .shutdown_timeout(shutdown)
        .bind(&listen)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    // SIGINT and SIGTERM stop accepting and drain in-flight requests (actix's signal handling).
    server.run().await?;
    tracing::info!("unitcell stopped");
    Ok(())
}

async fn cell_command(settings: Settings, action: CellAction) -> anyhow::Result<()> {
    use unitcell::domain::cells;
    let state = AppState::build(settings)?;
    let admin = AccessContext {
        principal: Principal::UnitMaster,
        authorization: None,
        unit_user: None,
    };
    let run = async {
        match action {
            CellAction::Create { name } => {
                let body = serde_json::json!({ "Name": name }).to_string();
                let cell = cells::create(&state, &admin, body.as_bytes()).await?;
                println!("{}", state.cell_url(&cell.row.name));
            }
            CellAction::List => {
                let options = unitcell::odata::query::parse_query(
                    "$top=10000",
                    false,
                    &unitcell::odata::query::QueryLimits::default(),
                )?;
                for row in cells::list(&state, &admin, options).await?.rows {
                    println!("{}\t{}", row.name, state.cell_url(&row.name));
                }
            }
            CellAction::Delete { name, recursive } => {
                if recursive {
                    cells::delete_recursive(&state, &admin, &name, Some("true")).await?;
                } else {
                    cells::delete(&state, &admin, &name, None).await?;
                }
            }
        }
        Ok::<(), unitcell::Error>(())
    };
    run.await.map_err(|e| anyhow::anyhow!("{e}"))
}
