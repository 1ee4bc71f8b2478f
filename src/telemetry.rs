//! Logging: a `tracing` subscriber writing human-readable text by default or one JSON object per
//! line (`log.format = "json"`). `RUST_LOG` overrides `log.level`.
//!
//! Lines are buffered per thread and written to standard output in batches, as nginx buffers
//! its access log: a thread appends each line to its own buffer (an uncontended lock, no system
//! call, no other thread woken), a flusher thread writes every buffer out every
//! [`FLUSH_EVERY`], and a thread whose buffer passes [`FLUSH_AT`] bytes writes it out itself.
//! Nothing is dropped; lines of one thread keep their order, and lines of different threads may
//! interleave by up to one flush period (each carries its timestamp). Colours only on a
//! terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use thread_local::ThreadLocal;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// How often the flusher writes out what every thread has buffered.
const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// A thread whose buffer grows past this writes it out itself, without waiting.
const FLUSH_AT: usize = 64 * 1024;

/// The per-thread line buffers.
#[derive(Default)]
struct Buffers {
    threads: ThreadLocal<Mutex<Vec<u8>>>,
}

impl Buffers {
    fn append(&self, line: &[u8]) {
        let buffer = self.threads.get_or(|| Mutex::new(Vec::with_capacity(4096)));
        let Ok(mut buffer) = buffer.lock() else {
            return;
        };
        buffer.extend_from_slice(line);
        if buffer.len() >= FLUSH_AT {
            write_out(&mut buffer);
        }
    }

    /// Writes out every thread's buffer.
    fn flush_all(&self) {
        for buffer in self.threads.iter() {
            if let Ok(mut buffer) = buffer.lock() {
                write_out(&mut buffer);
            }
        }
    }
}

/// Writes `buffer` to standard output and empties it. Logging has nowhere to report its own
/// failure: a failed write loses those lines, as it would for any logger.
fn write_out(buffer: &mut Vec<u8>) {
    if buffer.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(buffer).and_then(|()| out.flush());
    buffer.clear();
}

/// The writer the subscriber formats each line into.
#[derive(Clone)]
struct BufferedStdout(Arc<Buffers>);

/// One line on its way into the calling thread's buffer (the subscriber formats a whole line
/// first, then writes it in one call).
struct LineWriter<'a>(&'a Buffers);

impl Write for LineWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferedStdout {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> LineWriter<'a> {
        LineWriter(&self.0)
    }
}

/// Where request lines go once [`init`] ran: the same buffers as every other line.
struct AccessLog {
    buffers: Arc<Buffers>,
    json: bool,
}

static ACCESS_LOG: OnceLock<AccessLog> = OnceLock::new();

/// One request, as the access log records it.
pub struct Access<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub request_key: &'a str,
    pub status: u16,
    pub micros: u64,
}

/// Writes the access-log line of a request, at `INFO` for target `unitcell::access` (so
/// `RUST_LOG` filters it like any other line), in the configured format.
///
/// Written by hand rather than through a `tracing` span and event: formatting those cost
/// about a tenth of the CPU of a small authenticated request. The line looks like the
/// subscriber's own (`2024-01-02T03:04:05.678901Z  INFO request done method=GET ...`, or one
/// JSON object with the same fields).
pub fn access(a: &Access<'_>) {
    let Some(log) = ACCESS_LOG.get() else {
        return;
    };
    if !tracing::enabled!(target: "unitcell::access", tracing::Level::INFO) {
        return;
    }
    let line = access_line(a, log.json, &timestamp_micros());
    log.buffers.append(line.as_bytes());
}

/// The access-log line of `a` in text or JSON form.
fn access_line(a: &Access<'_>, json: bool, timestamp: &str) -> String {
    let mut line = String::with_capacity(160 + a.path.len());
    if json {
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        line.push_str("{\"timestamp\":\"");
        line.push_str(timestamp);
        line.push_str("\",\"level\":\"INFO\",\"message\":\"request done\",\"method\":");
        line.push_str(&quoted(a.method));
        line.push_str(",\"path\":");
        line.push_str(&quoted(a.path));
        line.push_str(",\"request_key\":");
        line.push_str(&quoted(a.request_key));
        line.push_str(",\"status\":");
        line.push_str(itoa::Buffer::new().format(a.status));
        line.push_str(",\"micros\":");
        line.push_str(itoa::Buffer::new().format(a.micros));
        line.push_str("}\n");
    } else {
        line.push_str(timestamp);
        line.push_str("  INFO request done method=");
        line.push_str(a.method);
        line.push_str(" path=");
        line.push_str(a.path);
        line.push_str(" request_key=");
        line.push_str(a.request_key);
        line.push_str(" status=");
        line.push_str(itoa::Buffer::new().format(a.status));
        line.push_str(" micros=");
        line.push_str(itoa::Buffer::new().format(a.micros));
        line.push('\n');
    }
    line
}

/// Now as `2024-01-02T03:04:05.678901Z`, the subscriber's timestamp form.
fn timestamp_micros() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = i64::try_from(now.as_secs()).unwrap_or(i64::MAX / 1000);
    // `iso8601` ends in `.SSSZ`: keep the seconds and write microseconds instead.
    let mut s = crate::model::time::iso8601(secs.saturating_mul(1000));
    s.truncate(s.len() - 4);
    let micros = now.subsec_micros();
    s.push_str(&format!("{micros:06}Z"));
    s
}

/// Keeps the flusher running; dropping it stops the flusher and writes out every buffer.
pub struct LogGuard {
    buffers: Arc<Buffers>,
    stop: Arc<AtomicBool>,
    flusher: Option<JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(flusher) = self.flusher.take() {
            flusher.thread().unpark();
            let _ = flusher.join();
        }
        self.buffers.flush_all();
    }
}

/// Installs the global subscriber. Call once, at start-up, and keep the guard until exit: its
/// drop writes out the lines still buffered.
pub fn init(settings: &LogSettings) -> Option<LogGuard> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::stdout().is_terminal();
    let buffers = Arc::new(Buffers::default());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(BufferedStdout(buffers.clone()));
    // A second init (tests) is harmless: try_init reports and we ignore it.
    let installed = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok()?;
    let _ = ACCESS_LOG.set(AccessLog {
        buffers: buffers.clone(),
        json: settings.format == LogFormat::Json,
    });
    let stop = Arc::new(AtomicBool::new(false));
    let (flushed, stopped) = (buffers.clone(), stop.clone());
    let flusher = std::thread::Builder::new()
        .name("unitcell-log".into())
        .spawn(move || {
            while !stopped.load(Ordering::Acquire) {
                std::thread::park_timeout(FLUSH_EVERY);
                flushed.flush_all();
            }
        })
        .ok();
    Some(LogGuard {
        buffers,
        stop,
        flusher,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_stay_whole_and_in_order_per_thread() {
        let buffers = Buffers::default();
        let mut w = LineWriter(&buffers);
        for i in 0..3 {
            w.write_all(format!("line {i}\n").as_bytes()).unwrap();
        }
        let text: Vec<u8> = buffers
            .threads
            .iter()
            .flat_map(|b| b.lock().unwrap().clone())
            .collect();
        assert_eq!(text, b"line 0\nline 1\nline 2\n");
    }

    #[test]
    fn access_lines_in_both_formats() {
        let a = Access {
            method: "GET",
            path: "/c/b/\"x\"",
            request_key: "k_1",
            status: 404,
            micros: 1234,
        };
        let ts = "2024-01-02T03:04:05.678901Z";
        assert_eq!(
            access_line(&a, false, ts),
            "2024-01-02T03:04:05.678901Z  INFO request done method=GET path=/c/b/\"x\" \
             request_key=k_1 status=404 micros=1234\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(access_line(&a, true, ts).trim_end()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"timestamp": ts, "level": "INFO", "message": "request done",
                "method": "GET", "path": "/c/b/\"x\"", "request_key": "k_1",
                "status": 404, "micros": 1234})
        );
        let now = timestamp_micros();
        assert_eq!(
            (now.len(), &now[10..11], &now[26..]),
            (27, "T", "Z"),
            "{now}"
        );
    }
}
