//! Logging: a `tracing` subscriber writing human-readable text by default or one JSON object per
//! line (`log.format = "json"`). `RUST_LOG` overrides `log.level`.
//!
//! Lines go to standard output through a writer thread that batches them (one `write` per batch
//! instead of one per line, so logging every request costs the request path no system call);
//! nothing is dropped: when the queue is full, the logging thread waits. Colours only on a
//! terminal.

use std::io::IsTerminal;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber. Call once, at start-up, and keep the guard until exit: its
/// drop flushes the lines still queued.
pub fn init(settings: &LogSettings) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("unitcell-log")
        .finish(std::io::BufWriter::new(std::io::stdout()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer);
    // A second init (tests) is harmless: try_init reports and we ignore it.
    let installed = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok().map(|()| guard)
}
