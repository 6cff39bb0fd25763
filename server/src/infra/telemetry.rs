//! Logging through `tracing`, filtered by `RUST_LOG` (default `info`), as text or as JSON lines
//! (`JIFEN_LOG_FORMAT`).
//!
//! Every line written while a request is served carries its request id: the request middleware
//! ([`crate::http::middleware::request_id`]) opens a span holding it, text lines show the span's
//! fields before the message, and JSON lines put them under `span` (and every enclosing span
//! under `spans`), so a log collector can gather one request's lines by `span.request_id`.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::infra::config::LogFormat;

/// Installs the global subscriber once; later calls (tests start many servers) keep the first.
pub fn init(format: LogFormat) {
    let _ = match format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_target(false)
            .finish()
            .try_init(),
        LogFormat::Json => json(filter(), std::io::stdout).try_init(),
    };
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"))
}

/// One JSON object per line: the event's fields at the top level, the current span's under
/// `span`, all enclosing spans under `spans`.
fn json<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .flatten_event(true)
        .with_writer(writer)
        .finish()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_json_line_carries_the_request_id_of_its_request() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = json(EnvFilter::new("info"), move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = %"0193-abc", method = "GET");
            span.in_scope(|| tracing::warn!(status = 503u16, "database unreachable"));
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let line: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["message"], "database unreachable");
        assert_eq!(line["status"], 503);
        assert_eq!(line["span"]["request_id"], "0193-abc");
        assert_eq!(line["spans"][0]["name"], "request");
        assert!(line["timestamp"].is_string());
    }
}
