//! Streaming measurement of a run, in memory bounded whatever the run's length.
//!
//! [`Recorder`] is an `Observer`: it counts, integrates levels over time and fills HDR
//! histograms; [`TimeSeries`] keeps the same figures per time window for charts. It knows nothing of files, formats or the terminal.

mod estimate;
mod headline;
mod latency;
mod level;
mod loghist;
mod mser;
mod recorder;
mod recovery;
mod summary;
mod timeseries;
mod trend;

pub use estimate::{Estimate, student_t_quantile};
pub use headline::{
    CONFIDENCE, Difference, Figure, Headline, Key, Sample, Scope, Unit, column_estimate,
    differences, headlines, keys,
};
pub use latency::{Latency, LatencySummary};
pub use loghist::SparseHistogram;
pub use mser::{MSER_BATCH, mser5_truncation};
pub use recorder::Recorder;
pub use recovery::{
    HEALTHY_BASELINE, RECOVERY_THRESHOLD, Recovery, RecoveryAcross, RecoveryVerdict, TimeToRecover,
    baseline_room, trigger_span, wilson_interval,
};
pub use summary::{
    FaultSummary, Growth, LITTLE_TOLERANCE, LittleCheck, MessageSummary, Over, RunSummary,
    ScaleSummary, ServiceSummary, SourceSummary, SystemSummary, little_places,
};
pub use timeseries::{
    MAX_WINDOWS, Quantiles, ServiceRow, ServiceWindow, TimeSeries, Window, WindowRow,
};
