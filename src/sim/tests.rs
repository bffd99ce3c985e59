use std::num::{NonZeroU32, NonZeroU64};

use super::*;
use crate::model::*;
use crate::stats::Recorder;

pub(crate) fn station(lambda: f64, service: Dist, workers: u32, capacity: Option<u32>) -> System {
    System::new(
        SimulationSpec {
            horizon: Horizon::Duration(SimDuration::from_secs_f64(200_000.0).unwrap()),
            warmup: SimDuration::from_secs_f64(1000.0).unwrap(),
            seed: 1,
            limits: Limits::default(),
        },
        vec![SourceSpec {
            name: "src".into(),
            target: ServiceId(0),
            arrivals: Arrivals::Poisson(Rate::per_sec(lambda).unwrap()),
        }],
        vec![ServiceSpec {
            name: "svc".into(),
            workers: NonZeroU32::new(workers).unwrap(),
            queue: Queue {
                capacity,
                discipline: Discipline::Fifo,
            },
            service_time: service,
            route: Route::Exit,
        }],
    )
    .unwrap()
}

#[test]
fn smoke_mm1() {
    let system = station(0.9, Dist::exponential(1.0).unwrap(), 1, None);
    let system = system.with_horizon(Horizon::Duration(SimDuration::from_secs_f64(5_000_000.0).unwrap()));
    let mut rec = Recorder::new(&system);
    let t = std::time::Instant::now();
    let out = Engine::new(&system, 0).unwrap().run(&mut rec).unwrap();
    let el = t.elapsed().as_secs_f64();
    eprintln!("{} events in {el}s = {} M/s", out.events, out.events as f64 / el / 1e6);
    let mut n = NullObserver;
    let t = std::time::Instant::now();
    let out = Engine::new(&system, 0).unwrap().run(&mut n).unwrap();
    let el = t.elapsed().as_secs_f64();
    eprintln!("null: {} events in {el}s = {} M/s", out.events, out.events as f64 / el / 1e6);
    let s = rec.summary(&system, &out);
    let _ = s;
    let _ = NonZeroU64::new(1);
}
