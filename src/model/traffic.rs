//! The traffic equations: the long-run rate of work arriving at each service.
//!
//! Work reaches a service from sources, from routes (`then`), from calls (one attempt per
//! request of the caller, retries not counted) and from publishes (the mean fan-out per
//! request). A bounded service cannot pass on more than its capacity, so for a set of
//! saturated services the equations are linear and are solved exactly; the set is then
//! updated until it no longer changes.

use super::{ServiceSpec, Step, System};

/// Long-run flows at one service, per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flow {
    /// Work arriving (`f64::INFINITY` when it grows without bound, as in a loop that
    /// multiplies messages).
    pub arrival: f64,
    /// Workers (an autoscaler's `max`) divided by the mean work per request.
    pub capacity: f64,
}

impl Flow {
    /// arrival / capacity.
    pub fn load(&self) -> f64 {
        self.arrival / self.capacity
    }
}

impl System {
    /// The flows at every service, by `ServiceId`.
    pub fn traffic(&self) -> Vec<Flow> {
        let n = self.services().len();
        let capacity: Vec<f64> = (0..n)
            .map(|i| f64::from(self.services()[i].capacity_workers()) / self.hold_mean(i))
            .collect();
        let mut external = vec![0.0; n];
        for source in self.sources() {
            external[source.target.index()] += source.arrivals.rate_per_sec();
        }
        let visits = visit_matrix(self.services());
        let mut saturated = vec![false; n];
        let mut arrival = external.clone();
        for _ in 0..=n {
            arrival = solve(&external, &visits, &saturated, &capacity);
            let next: Vec<bool> = (0..n)
                .map(|i| self.services()[i].queue.capacity.is_some() && arrival[i] > capacity[i])
                .collect();
            if next == saturated {
                break;
            }
            saturated = next;
        }
        arrival
            .into_iter()
            .zip(capacity)
            .map(|(arrival, capacity)| Flow { arrival, capacity })
            .collect()
    }
}

impl System {
    /// Mean seconds a worker of service `i` is held per request: its own work steps plus,
    /// for each call, the callee's own hold time (a lower bound: the callee's queueing and
    /// retries are not counted). The call graph is acyclic (`System::new` checks it).
    fn hold_mean(&self, i: usize) -> f64 {
        let service = &self.services()[i];
        let calls: f64 = service
            .steps
            .iter()
            .map(|step| match step {
                Step::Call { to, .. } => self.hold_mean(to.index()),
                Step::Work(_) | Step::Publish { .. } => 0.0,
            })
            .sum();
        service.work_mean() + calls
    }
}

/// `visits[s][t]`: work sent to service t per request passing through service s.
fn visit_matrix(services: &[ServiceSpec]) -> Vec<Vec<f64>> {
    services
        .iter()
        .map(|s| {
            let mut row = vec![0.0; services.len()];
            for (to, p) in s.route.branches() {
                row[to.index()] += p;
            }
            for step in &s.steps {
                match step {
                    Step::Work(_) => {}
                    Step::Call { to, .. } => row[to.index()] += 1.0,
                    Step::Publish { to, fanout } => {
                        row[to.index()] += fanout.as_ref().map_or(1.0, |f| f.mean());
                    }
                }
            }
            row
        })
        .collect()
}

/// Solves `λ_t = γ_t + Σ_s out_s · visits[s][t]`, where `out_s` is `capacity_s` for a
/// saturated service and `λ_s` otherwise. Components that cannot be finite and
/// non-negative (work multiplying in a loop) come out as infinity.
fn solve(external: &[f64], visits: &[Vec<f64>], saturated: &[bool], capacity: &[f64]) -> Vec<f64> {
    let n = external.len();
    // Rows of (I − Aᵀ) λ = b, with A the visits of unsaturated services.
    let mut a = vec![vec![0.0; n + 1]; n];
    for t in 0..n {
        a[t][t] = 1.0;
        a[t][n] = external[t];
        for s in 0..n {
            if saturated[s] {
                a[t][n] += capacity[s] * visits[s][t];
            } else {
                a[t][s] -= visits[s][t];
            }
        }
    }
    let solution = gauss(a);
    match solution {
        Some(x) if x.iter().all(|v| v.is_finite() && *v >= -1e-9) => {
            x.into_iter().map(|v| v.max(0.0)).collect()
        }
        _ => vec![f64::INFINITY; n],
    }
}

/// Gaussian elimination with partial pivoting on an augmented matrix; `None` if singular.
fn gauss(mut a: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let n = a.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (row, values) in a.iter_mut().enumerate() {
            let factor = values[col] / pivot_row[col];
            if row != col && factor != 0.0 {
                for (x, p) in values[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= factor * p;
                }
            }
        }
    }
    Some((0..n).map(|i| a[i][n] / a[i][i]).collect())
}
