//! Streaming measurement of a run, in memory bounded whatever the run's length.
//!
//! [`Recorder`] is an `Observer`: it counts, integrates levels over time and fills HDR
//! histograms. It knows nothing of files, formats or the terminal.

mod estimate;
mod latency;
mod level;
mod recorder;
mod recovery;
mod summary;

pub use estimate::{Estimate, student_t_quantile};
pub use latency::{Latency, LatencySummary};
pub use recorder::Recorder;
pub use recovery::{RECOVERY_THRESHOLD, Recovery};
pub use summary::{
    LITTLE_TOLERANCE, LittleCheck, RunSummary, ServiceSummary, SourceSummary, SystemSummary,
};
