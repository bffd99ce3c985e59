//! A small log-bucket histogram for per-window latency quantiles.
//!
//! Sixteen buckets per power of two (each at most 6.25% wide); a quantile is interpolated
//! linearly by rank inside its bucket, so it is within one bucket width of the true value
//! and consecutive windows do not snap to the same few values. A working histogram is a fixed array of
//! 512 counters; a closed window keeps only its non-empty buckets, so memory per window is
//! small and does not grow with the number of samples.

/// Sub-buckets per power of two: 2^4.
const SUB_BITS: u32 = 4;
const SUB: u64 = 1 << SUB_BITS;
/// Buckets in the working array: 64 octaves of sixteen.
pub(crate) const BUCKETS: usize = 64 * SUB as usize;

/// The bucket of a value in nanoseconds (values below 1 count as 1).
#[inline]
pub(crate) fn bucket(ns: u64) -> usize {
    let ns = ns.max(1);
    let octave = 63 - ns.leading_zeros();
    let sub = if octave >= SUB_BITS {
        (ns >> (octave - SUB_BITS)) & (SUB - 1)
    } else {
        (ns << (SUB_BITS - octave)) & (SUB - 1)
    };
    (octave as usize) * SUB as usize + sub as usize
}

/// The smallest value of bucket `b`, in nanoseconds (as f64; the last bucket's end is 2^64).
fn bucket_low(b: usize) -> f64 {
    let octave = (b / SUB as usize) as i32;
    let sub = (b % SUB as usize) as f64;
    2f64.powi(octave) * (1.0 + sub / SUB as f64)
}

/// The middle of bucket `b`'s range, in nanoseconds.
#[cfg(test)]
fn bucket_mid(b: usize) -> f64 {
    0.5 * (bucket_low(b) + bucket_low(b + 1))
}

/// The non-empty buckets of one window, sorted by bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SparseHistogram {
    buckets: Vec<(u16, u64)>,
}

impl SparseHistogram {
    /// Keeps the non-empty buckets of a working array.
    pub(crate) fn from_dense(dense: &[u64; BUCKETS]) -> SparseHistogram {
        SparseHistogram {
            buckets: dense
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(b, n)| (b as u16, *n))
                .collect(),
        }
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|(_, n)| n).sum()
    }

    /// Adds another window's samples.
    pub fn merge(&mut self, other: &SparseHistogram) {
        let (x, y) = (&self.buckets, &other.buckets);
        let mut merged = Vec::with_capacity(x.len() + y.len());
        let (mut i, mut j) = (0, 0);
        loop {
            match (x.get(i), y.get(j)) {
                (Some(a), Some(b)) if a.0 == b.0 => {
                    merged.push((a.0, a.1 + b.1));
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a.0 < b.0 => {
                    merged.push(*a);
                    i += 1;
                }
                (Some(_) | None, Some(b)) => {
                    merged.push(*b);
                    j += 1;
                }
                (Some(a), None) => {
                    merged.push(*a);
                    i += 1;
                }
                (None, None) => break,
            }
        }
        self.buckets = merged;
    }

    /// The `q`-quantile in seconds, interpolated by rank inside its bucket (samples are
    /// taken as spread evenly across it), or `None` with no samples.
    pub fn quantile_secs(&self, q: f64) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let rank = ((q * count as f64).ceil() as u64).clamp(1, count);
        let mut seen = 0;
        for &(b, n) in &self.buckets {
            if seen + n >= rank {
                let (low, high) = (bucket_low(usize::from(b)), bucket_low(usize::from(b) + 1));
                let within = (rank - seen) as f64 - 0.5;
                return Some((low + (high - low) * within / n as f64) / 1e9);
            }
            seen += n;
        }
        None
    }
}

#[cfg(test)]
mod tests;
