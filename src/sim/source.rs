//! Sources: open-loop arrivals and closed-loop users, and the answer a request brings back.

use super::call::Origin;
use super::client::{Caller, Outcome};
use super::engine::{Context, Sim};
use super::event::Event;
use super::load::Load;
use super::observer::Observer;
use super::rng::{Stream, Streams};
use super::slab::Id;
use super::task::Owner;
use crate::model::{ServiceId, SimTime, SourceId, SourceSpec, System};

#[derive(Debug)]
pub(super) struct SourceState {
    pub(super) target: ServiceId,
    /// Its requests skip the call record: no timeout, no retries, and no service on any
    /// route from `target` has a call or publish step. The commonest model, and the fast path.
    plain: bool,
    load: Load,
    rng: Stream,
}

impl SourceState {
    /// A source's state; its client policy joins `callers` at the source's own index.
    pub(super) fn new(
        system: &System,
        spec: &SourceSpec,
        streams: &Streams,
        callers: &mut Vec<Caller>,
    ) -> SourceState {
        let component = format!("source:{}", spec.name);
        callers.push(Caller::new(&spec.client, streams.get(&component, "retry")));
        SourceState {
            target: spec.target,
            plain: is_plain(system, spec),
            load: Load::new(&spec.arrivals),
            rng: streams.get(&component, "arrivals"),
        }
    }

    /// The first arrival, and each closed-loop user's first request after one think time.
    pub(super) fn schedule_start(&mut self, index: usize, cx: &mut Context) {
        let id = SourceId(index as u32);
        if let Some(first) = self.load.next_after(SimTime::ZERO, &mut self.rng) {
            cx.events.push(first, Event::Arrival(id));
        }
        if let Load::Closed { users, .. } = self.load {
            for _ in 0..users {
                let think = self.load.think(&mut self.rng).unwrap_or_default();
                cx.events.push(SimTime::ZERO + think, Event::Arrival(id));
            }
        }
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// A source's request arrives (and an open-loop source schedules its next one).
    #[inline(always)]
    pub(super) fn arrive<O: Observer>(&mut self, id: SourceId, o: &mut O) {
        let now = self.cx.now;
        let source = &mut self.sources[id.index()];
        if let Some(next) = source.load.next_after(now, &mut source.rng) {
            self.cx.events.push(next, Event::Arrival(id));
        }
        o.on_request(now, id);
        let (target, plain) = (source.target, source.plain);
        if plain {
            o.on_attempt(now, id, 1);
            let task = self.new_task(Owner::Plain {
                source: id,
                born: now,
            });
            return self.enter(target, task, o);
        }
        let call = self.open_call(Origin::Source(id), id.0, target, Id::NONE);
        self.send_attempt(call, o);
    }

    /// A source's request has its final answer; a closed-loop user starts thinking.
    #[inline(always)]
    pub(super) fn answer<O: Observer>(
        &mut self,
        source: SourceId,
        born: SimTime,
        outcome: Outcome,
        attempts: u32,
        o: &mut O,
    ) {
        let now = self.cx.now;
        o.on_request_done(now, source, outcome, attempts, now - born);
        let state = &mut self.sources[source.index()];
        if let Some(think) = state.load.think(&mut state.rng) {
            self.cx.after(think, Event::Arrival(source));
        }
    }
}

/// Whether `source`'s requests are plain: the client never times out or retries, and no
/// service a request can be routed to calls or publishes (which would need the request's
/// call record to track the work it causes).
pub(super) fn is_plain(system: &System, source: &SourceSpec) -> bool {
    let client = &source.client;
    if client.timeout.is_some() || client.retry.max_attempts.get() > 1 {
        return false;
    }
    let mut seen = vec![false; system.services().len()];
    let mut stack = vec![source.target];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let service = system.service(id);
        if service.step_targets().next().is_some() {
            return false;
        }
        stack.extend(service.route.branches().into_iter().map(|(to, _)| to));
    }
    true
}
