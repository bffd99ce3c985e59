//! The progress bar on stderr: shown only on a terminal, without --quiet, and only once a
//! run has lasted more than a moment.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this never show a bar.
const DELAY: Duration = Duration::from_millis(400);

/// Counts finished replications.
pub(crate) struct Progress {
    bar: ProgressBar,
    started: Instant,
    allowed: bool,
}

impl Progress {
    /// A bar for `total` replications.
    pub(crate) fn new(total: u64, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} replications")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Progress {
            bar,
            // Wall-clock time decides only whether to draw the bar, never any result.
            #[allow(clippy::disallowed_methods)]
            started: Instant::now(),
            allowed: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// One replication finished (called from any thread).
    pub(crate) fn tick(&self) {
        self.bar.inc(1);
        if self.allowed && self.bar.is_hidden() && self.started.elapsed() >= DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
