//! Automatic warm-up detection: MSER-5 (White, 1997; Franklin and White, 2008).
//!
//! The output series is cut into batches of five observations. For each candidate
//! truncation point d (in batches, up to half the series), MSER is the variance of the
//! remaining batch means divided by their count: the squared standard error of the mean
//! that would be reported. The chosen warm-up is the d that minimises it. Deleting an
//! initial transient lowers the variance faster than losing observations raises it;
//! deleting steady-state data does not.

/// Observations per batch.
pub const MSER_BATCH: usize = 5;

/// The number of leading observations of `series` to discard (a multiple of five), by
/// MSER-5. Returns 0 for series too short to batch (fewer than two batches).
pub fn mser5_truncation(series: &[f64]) -> usize {
    let batches: Vec<f64> = series
        .chunks_exact(MSER_BATCH)
        .map(|c| c.iter().sum::<f64>() / MSER_BATCH as f64)
        .collect();
    if batches.len() < 2 {
        return 0;
    }
    let mut best = (f64::INFINITY, 0);
    for d in 0..=batches.len() / 2 {
        let rest = &batches[d..];
        let n = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / n;
        let sse: f64 = rest.iter().map(|x| (x - mean).powi(2)).sum();
        let mser = sse / (n * n);
        // Strictly smaller only: ties keep the shorter warm-up.
        if mser < best.0 {
            best = (mser, d);
        }
    }
    best.1 * MSER_BATCH
}

#[cfg(test)]
mod tests;
