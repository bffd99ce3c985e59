//! Figures per time window over a whole run, warm-up included, for charts and the CSV.
//!
//! Memory is bounded whatever the run's length: at most [`MAX_WINDOWS`] windows are kept,
//! and when a run would need more, adjacent pairs merge and the width doubles. Latency
//! quantiles per window come from one working log-bucket histogram that is reset at every
//! boundary; a closed window keeps only its non-empty buckets (`loghist`).
//!
//! Client-level columns count source requests: *offered* requests started, *completed*
//! requests answered (whatever the outcome), *goodput* the successful ones, *retries*
//! attempts beyond the first, *in flight* requests started and not yet answered, and the
//! latency quantiles those of successful requests. Service-level columns count all work at
//! services (attempts, calls and messages): *admitted*, *rejected* (a full waiting room),
//! *timed out* (attempts whose caller gave up), queue depth and utilisation (busy workers
//! over workers up, which a schedule, crashes and restarts change).
//!
//! Queue depth and utilisation are kept per service and latency per source, since a sum
//! over services hides which one saturates; the totals are sums of those, so the number
//! of series is fixed by the model and memory stays bounded.

use super::level::Level;
use super::loghist::{BUCKETS, SparseHistogram, bucket};
use crate::model::{Horizon, ServiceId, SimDuration, SimTime, SourceId, System};
use crate::sim::{Observer, Outcome};

/// The most windows kept; beyond it adjacent pairs merge.
pub const MAX_WINDOWS: usize = 512;
/// Windows aimed for when the run's length is known in advance.
const TARGET_WINDOWS: u64 = 250;

/// The raw sums of one window (over one or several replications).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
    /// Simulated time covered, summed over replications (the last window may be partial).
    pub exposure_ns: u64,
    /// Requests started by sources.
    pub offered: u64,
    /// Work admitted at services (attempts, calls and messages).
    pub admitted: u64,
    /// Requests answered, whatever the outcome.
    pub completed: u64,
    /// Requests answered with success.
    pub goodput: u64,
    /// Work turned away by a full waiting room.
    pub rejected: u64,
    /// Attempts whose caller gave up waiting.
    pub timed_out: u64,
    /// Retries sent by clients.
    pub retries: u64,
    /// Area under the number of requests inside the system, request·ns.
    pub in_flight_area: u128,
    /// Levels of each service, by service id.
    pub services: Vec<ServiceWindow>,
    /// End-to-end latency of the successful requests that finished in this window, by
    /// source id.
    pub latency: Vec<SparseHistogram>,
}

/// The areas under one service's levels in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServiceWindow {
    /// Area under the number of requests waiting in its queue, request·ns.
    pub queued_area: u128,
    /// Area under the number of its busy workers, worker·ns.
    pub busy_area: u128,
    /// Area under the number of its workers up (present and not crashed), worker·ns.
    pub workers_area: u128,
}

impl Window {
    fn empty(services: usize, sources: usize) -> Window {
        Window {
            services: vec![ServiceWindow::default(); services],
            latency: vec![SparseHistogram::default(); sources],
            ..Window::default()
        }
    }

    fn merge(&mut self, other: &Window) {
        self.exposure_ns += other.exposure_ns;
        self.offered += other.offered;
        self.admitted += other.admitted;
        self.completed += other.completed;
        self.goodput += other.goodput;
        self.rejected += other.rejected;
        self.timed_out += other.timed_out;
        self.retries += other.retries;
        self.in_flight_area += other.in_flight_area;
        for (mine, theirs) in self.services.iter_mut().zip(&other.services) {
            mine.queued_area += theirs.queued_area;
            mine.busy_area += theirs.busy_area;
            mine.workers_area += theirs.workers_area;
        }
        for (mine, theirs) in self.latency.iter_mut().zip(&other.latency) {
            mine.merge(theirs);
        }
    }
}

/// One window's figures, ready to print: rates per second, time averages, quantiles.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowRow {
    /// Window start, simulated seconds from the start of the run.
    pub start_secs: f64,
    /// Window end (the run's end for the last one).
    pub end_secs: f64,
    /// Requests emitted per second.
    pub offered: f64,
    /// Requests admitted per second.
    pub admitted: f64,
    /// Requests finished per second.
    pub completed: f64,
    /// Useful completions per second.
    pub goodput: f64,
    /// Rejections per second.
    pub rejected: f64,
    /// Client timeouts per second.
    pub timed_out: f64,
    /// Retries per second.
    pub retries: f64,
    /// Time-average number of requests waiting in queues (all services).
    pub queue_depth: f64,
    /// Time-average number of requests inside the system.
    pub in_flight: f64,
    /// Time-average fraction of all workers busy.
    pub utilisation: f64,
    /// Median latency of requests finished in the window, seconds (`None`: none finished).
    pub p50_secs: Option<f64>,
    /// 99th percentile latency, seconds.
    pub p99_secs: Option<f64>,
    /// Queue depth and utilisation of each service, by service id.
    pub services: Vec<ServiceRow>,
    /// Latency quantiles of each source, by source id.
    pub sources: Vec<Quantiles>,
}

/// One service's levels in one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServiceRow {
    /// Time-average number of requests waiting in its queue.
    pub queue_depth: f64,
    /// Time-average fraction of its workers busy.
    pub utilisation: f64,
    /// Time-average number of its workers up (which a schedule, an autoscaler, crashes
    /// and restarts change).
    pub workers: f64,
}

/// Median and 99th percentile latency, seconds (`None`: no request finished).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantiles {
    /// Median.
    pub p50_secs: Option<f64>,
    /// 99th percentile.
    pub p99_secs: Option<f64>,
}

impl Quantiles {
    fn of(latency: &SparseHistogram) -> Quantiles {
        Quantiles {
            p50_secs: latency.quantile_secs(0.5),
            p99_secs: latency.quantile_secs(0.99),
        }
    }
}

/// An observer that keeps the run's figures per time window.
#[derive(Clone, Debug)]
pub struct TimeSeries {
    width_ns: u64,
    replications: u32,
    windows: Vec<Window>,
    /// The open window and its working histogram per source.
    current: Window,
    working: Vec<[u64; BUCKETS]>,
    current_end_ns: u64,
    /// Levels, each integrated lazily when it changes (one multiplication per change); the
    /// per-service ones by service id.
    in_flight: Level,
    queued: Vec<Level>,
    busy: Vec<Level>,
    workers: Vec<Level>,
    /// Where the open window's exposure starts.
    open_since_ns: u64,
    end_ns: u64,
    measure_start_ns: u64,
}

impl TimeSeries {
    /// A time series for one run of `system`, with about 250 windows over its expected length.
    pub fn new(system: &System) -> TimeSeries {
        let width_ns = window_width_ns(expected_length_ns(system));
        let (services, sources) = (system.services().len(), system.sources().len());
        TimeSeries {
            width_ns,
            replications: 1,
            windows: Vec::with_capacity(MAX_WINDOWS),
            current: Window::empty(services, sources),
            working: vec![[0; BUCKETS]; sources],
            current_end_ns: width_ns,
            in_flight: Level::default(),
            queued: vec![Level::default(); services],
            busy: vec![Level::default(); services],
            workers: system
                .services()
                .iter()
                .map(|s| {
                    let mut workers = Level::default();
                    workers.change(SimTime::ZERO, i64::from(s.workers.get()));
                    workers
                })
                .collect(),
            open_since_ns: 0,
            end_ns: 0,
            measure_start_ns: 0,
        }
    }

    /// Width of each window, nanoseconds.
    pub fn width_ns(&self) -> u64 {
        self.width_ns
    }

    /// When measurement started (end of the warm-up), nanoseconds.
    pub fn measure_start_ns(&self) -> u64 {
        self.measure_start_ns
    }

    /// Replications merged into this series.
    pub fn replications(&self) -> u32 {
        self.replications
    }

    /// The closed windows, in time order (after `on_end`, all of them).
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// Each window's figures, averaged over the merged replications.
    pub fn rows(&self) -> Vec<WindowRow> {
        let total = self.windows.len();
        self.windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let start = i as u64 * self.width_ns;
                let end = if i + 1 == total {
                    self.end_ns.max(start)
                } else {
                    start + self.width_ns
                };
                row(w, start, end)
            })
            .collect()
    }

    /// Adds another replication's series (of the same system), window by window. The finer
    /// of the two is coarsened first, so widths always match.
    pub fn merge(&mut self, other: &TimeSeries) {
        let mut other = other.clone();
        while self.width_ns < other.width_ns {
            self.coarsen();
        }
        while other.width_ns < self.width_ns {
            other.coarsen();
        }
        for (i, w) in other.windows.iter().enumerate() {
            match self.windows.get_mut(i) {
                Some(mine) => mine.merge(w),
                None => self.windows.push(w.clone()),
            }
        }
        self.end_ns = self.end_ns.max(other.end_ns);
        self.replications += other.replications;
    }

    /// Closes every window that ends at or before `at_ns`.
    #[inline]
    fn advance(&mut self, at_ns: u64) {
        while at_ns >= self.current_end_ns {
            self.flush(self.current_end_ns);
            self.close_window();
        }
    }

    /// Moves the levels' areas and the exposure up to `to_ns` into the open window.
    fn flush(&mut self, to_ns: u64) {
        let to = SimTime(to_ns);
        let w = &mut self.current;
        w.in_flight_area += self.in_flight.take_area(to);
        for (i, s) in w.services.iter_mut().enumerate() {
            s.queued_area += self.queued[i].take_area(to);
            s.busy_area += self.busy[i].take_area(to);
            s.workers_area += self.workers[i].take_area(to);
        }
        w.exposure_ns += to_ns - self.open_since_ns;
        self.open_since_ns = to_ns;
    }

    fn close_window(&mut self) {
        let empty = Window::empty(self.queued.len(), self.working.len());
        let mut window = std::mem::replace(&mut self.current, empty);
        for (latency, working) in window.latency.iter_mut().zip(&mut self.working) {
            *latency = SparseHistogram::from_dense(working);
            working.fill(0);
        }
        self.windows.push(window);
        if self.windows.len() == MAX_WINDOWS {
            self.coarsen();
        }
        let start = self.windows.len() as u64 * self.width_ns;
        self.current_end_ns = start + self.width_ns;
    }

    /// Merges adjacent pairs of closed windows and doubles the width. The open window
    /// starts on an even boundary whenever this runs, so it simply widens.
    fn coarsen(&mut self) {
        let old = std::mem::take(&mut self.windows);
        for pair in old.chunks(2) {
            let mut w = pair[0].clone();
            if let Some(second) = pair.get(1) {
                w.merge(second);
            }
            self.windows.push(w);
        }
        self.width_ns *= 2;
        let start = self.windows.len() as u64 * self.width_ns;
        self.current_end_ns = start + self.width_ns;
    }
}

fn row(w: &Window, start_ns: u64, end_ns: u64) -> WindowRow {
    let exposure = w.exposure_ns as f64;
    let per_sec = |n: u64| {
        if exposure > 0.0 {
            n as f64 / (exposure / 1e9)
        } else {
            0.0
        }
    };
    let mean = |area: u128| {
        if exposure > 0.0 {
            area as f64 / exposure
        } else {
            0.0
        }
    };
    let share = |busy: u128, present: u128| {
        if present > 0 {
            busy as f64 / present as f64
        } else {
            0.0
        }
    };
    let sum = |area: fn(&ServiceWindow) -> u128| w.services.iter().map(area).sum::<u128>();
    let mut latency = SparseHistogram::default();
    for l in &w.latency {
        latency.merge(l);
    }
    let all = Quantiles::of(&latency);
    WindowRow {
        start_secs: start_ns as f64 / 1e9,
        end_secs: end_ns as f64 / 1e9,
        offered: per_sec(w.offered),
        admitted: per_sec(w.admitted),
        completed: per_sec(w.completed),
        goodput: per_sec(w.goodput),
        rejected: per_sec(w.rejected),
        timed_out: per_sec(w.timed_out),
        retries: per_sec(w.retries),
        queue_depth: mean(sum(|s| s.queued_area)),
        in_flight: mean(w.in_flight_area),
        utilisation: share(sum(|s| s.busy_area), sum(|s| s.workers_area)),
        p50_secs: all.p50_secs,
        p99_secs: all.p99_secs,
        services: w
            .services
            .iter()
            .map(|s| ServiceRow {
                queue_depth: mean(s.queued_area),
                utilisation: share(s.busy_area, s.workers_area),
                workers: mean(s.workers_area),
            })
            .collect(),
        sources: w.latency.iter().map(Quantiles::of).collect(),
    }
}

/// The run's expected length: warm-up plus the measured period (estimated from the
/// nominal arrival rates when the horizon is a request count).
fn expected_length_ns(system: &System) -> u64 {
    let spec = system.simulation();
    let measured_ns = match spec.horizon {
        Horizon::Duration(d) => d.0,
        Horizon::Requests(n) => {
            let rate: f64 = system
                .sources()
                .iter()
                .map(|s| s.arrivals.rate_per_sec())
                .sum();
            SimDuration::from_secs_f64(n.get() as f64 / rate.max(1e-9))
                .map_or(u64::MAX / 4, |d| d.0)
        }
    };
    spec.warmup.0.saturating_add(measured_ns)
}

/// The smallest "round" width (1, 2 or 5 times a power of ten, at least 1 µs) giving at most
/// about [`TARGET_WINDOWS`] windows over `length_ns`.
fn window_width_ns(length_ns: u64) -> u64 {
    let wanted = (length_ns / TARGET_WINDOWS).max(1_000);
    let mut decade = 1_000u64;
    loop {
        for step in [1, 2, 5] {
            if let Some(width) = decade.checked_mul(step) {
                if width >= wanted {
                    return width;
                }
            } else {
                return u64::MAX / 4;
            }
        }
        decade = decade.saturating_mul(10);
    }
}

impl Observer for TimeSeries {
    fn on_measure_start(&mut self, at: SimTime) {
        self.measure_start_ns = at.0;
    }

    #[inline]
    fn on_request(&mut self, at: SimTime, _source: SourceId) {
        self.advance(at.0);
        self.current.offered += 1;
        self.in_flight.change(at, 1);
    }

    #[inline]
    fn on_attempt(&mut self, at: SimTime, _source: SourceId, attempt: u32) {
        if attempt > 1 {
            self.advance(at.0);
            self.current.retries += 1;
        }
    }

    #[inline]
    fn on_request_done(
        &mut self,
        at: SimTime,
        source: SourceId,
        outcome: Outcome,
        _attempts: u32,
        latency: SimDuration,
    ) {
        self.advance(at.0);
        self.current.completed += 1;
        self.in_flight.change(at, -1);
        if outcome == Outcome::Success {
            self.current.goodput += 1;
            self.working[source.index()][bucket(latency.0)] += 1;
        }
    }

    #[inline]
    fn on_admit(&mut self, at: SimTime, service: ServiceId, queued: bool) {
        self.advance(at.0);
        self.current.admitted += 1;
        if queued {
            self.queued[service.index()].change(at, 1);
        }
    }

    #[inline]
    fn on_reject(&mut self, at: SimTime, _service: ServiceId) {
        self.advance(at.0);
        self.current.rejected += 1;
    }

    #[inline]
    fn on_start(&mut self, at: SimTime, service: ServiceId, _waited: SimDuration, queued: bool) {
        self.advance(at.0);
        if queued {
            self.queued[service.index()].change(at, -1);
        }
        self.busy[service.index()].change(at, 1);
    }

    fn on_drop(&mut self, at: SimTime, service: ServiceId, _waited: SimDuration, queued: bool) {
        self.advance(at.0);
        if queued {
            self.queued[service.index()].change(at, -1);
        }
    }

    #[inline]
    fn on_complete(
        &mut self,
        at: SimTime,
        service: ServiceId,
        _sojourn: SimDuration,
        _failed: bool,
    ) {
        self.advance(at.0);
        self.busy[service.index()].change(at, -1);
    }

    fn on_timeout(&mut self, at: SimTime, _service: ServiceId) {
        self.advance(at.0);
        self.current.timed_out += 1;
    }

    fn on_workers_up(&mut self, at: SimTime, service: ServiceId, up: u32) {
        self.advance(at.0);
        let level = &mut self.workers[service.index()];
        level.change(at, i64::from(up) - level.current() as i64);
    }

    fn on_lost(&mut self, at: SimTime, service: ServiceId, _sojourn: SimDuration, queued: bool) {
        self.advance(at.0);
        if queued {
            self.queued[service.index()].change(at, -1);
        } else {
            self.busy[service.index()].change(at, -1);
        }
    }

    fn on_end(&mut self, at: SimTime) {
        self.advance(at.0);
        self.flush(at.0);
        self.end_ns = at.0;
        if self.current.exposure_ns > 0 || self.windows.is_empty() {
            self.close_window();
        }
    }
}

#[cfg(test)]
mod tests;
