//! What a sweep varies: axes of values, and the grid of points they span.

/// The most points a sweep may have: far beyond a useful study on one machine, it keeps a
/// typo (`1..1000000:1`) from queueing a year of work.
pub const MAX_POINTS: usize = 100_000;

/// The most replications one study or sweep point may ask for.
pub const MAX_REPLICATIONS: u64 = 100_000;

/// The most runs (points × replications) one sweep may hold: its work list and results
/// stay within a few gigabytes, and on two cores it is already weeks of work.
pub const MAX_RUNS: u64 = 10_000_000;

/// What an axis sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Knob {
    /// A value of the scenario, by its dotted key (`service.api.workers`).
    Key(String),
    /// A factor on every source's load (rates, and closed-loop users).
    Load,
}

/// How an axis's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AxisUnit {
    /// Plain numbers (workers, capacities, attempts).
    Number,
    /// Durations, as seconds.
    Seconds,
    /// Rates, per second.
    PerSecond,
    /// Factors of the scenario's load.
    Factor,
}

/// One value of an axis: as written, and as a number in the axis's unit.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisValue {
    /// As the scenario would hold it: `8`, `250/s`, `2s`.
    pub text: String,
    /// In the axis's unit: seconds for durations, per second for rates.
    pub number: f64,
}

/// One varied knob and its values, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// What it sets.
    pub knob: Knob,
    /// How its values read.
    pub unit: AxisUnit,
    /// At least one value.
    pub values: Vec<AxisValue>,
}

impl Axis {
    /// Its name in tables and charts: the dotted key, or `load`.
    pub fn name(&self) -> &str {
        match &self.knob {
            Knob::Key(key) => key,
            Knob::Load => "load",
        }
    }
}

/// The axes of a sweep; its points are every combination of their values, the first
/// axis varying slowest.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    axes: Vec<Axis>,
}

impl Grid {
    /// The grid of `axes` (at least one, each with a value, one per knob), or why not.
    pub fn new(axes: Vec<Axis>) -> Result<Grid, String> {
        if axes.is_empty() {
            return Err("nothing to vary: give --vary KEY=VALUES or --load".into());
        }
        for (i, axis) in axes.iter().enumerate() {
            if axis.values.is_empty() {
                return Err(format!("{} has no values", axis.name()));
            }
            if axes[..i].iter().any(|a| a.knob == axis.knob) {
                return Err(format!("{} is varied twice", axis.name()));
            }
        }
        let points = (axes.iter()).try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
        match points {
            Some(n) if n <= MAX_POINTS => Ok(Grid { axes }),
            _ => Err(format!(
                "the sweep has more than {MAX_POINTS} points; vary fewer values, or split it"
            )),
        }
    }

    /// The axes, in order.
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// Whether the grid has no point (never, for a grid made by [`Grid::new`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value index on each axis of point `point` (`< len()`).
    pub fn coordinates(&self, point: usize) -> Vec<usize> {
        let mut rest = point;
        let mut out = vec![0; self.axes.len()];
        for (slot, axis) in out.iter_mut().zip(&self.axes).rev() {
            *slot = rest % axis.values.len();
            rest /= axis.values.len();
        }
        out
    }

    /// The values of point `point`, one per axis.
    pub fn values(&self, point: usize) -> Vec<&AxisValue> {
        (self.coordinates(point).into_iter().zip(&self.axes))
            .map(|(i, axis)| &axis.values[i])
            .collect()
    }
}

/// A sweep declared in a scenario file (`[sweep]`), so that the file says what was studied.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// What is varied.
    pub grid: Grid,
    /// Replications per point, when the file sets them.
    pub replications: Option<u64>,
}
