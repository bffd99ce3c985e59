//! Hand-offs: work moving from one service to another, by a route, a synchronous `call`
//! step (the task waits, holding its worker) or an asynchronous `publish` step.
//!
//! The hand-offs are mutually recursive (a call's attempt enters a service whose work ends
//! at once, routes on, answers the call, resumes the caller...). The recursion is cut at
//! two out-of-line functions (`run_other_steps`, `resume`), so that everything else, a plain
//! request's whole life included, inlines into the loop; and a chain of hand-offs that take
//! no time is deferred to the event list after [`MAX_DEPTH`] nested ones.

use super::call::{CallId, Origin};
use super::client::Outcome;
use super::engine::Sim;
use super::event::Event;
use super::observer::Observer;
use super::service::{Admission, StepState, draw_work};
use super::task::{Owner, TaskId};
use crate::model::{ServiceId, SimDuration};

/// Most messages one publish step may emit for one request.
const MAX_FANOUT: u64 = 1_000_000;
/// Nested hand-offs (a route, call or publish that takes no time, entering a service whose
/// steps take no time either, and so on) handled within one event before the next one is
/// deferred to the event list at the same instant: keeps the stack shallow on any model.
const MAX_DEPTH: u32 = 256;

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// Offers a task to a service, now or, when hand-offs are nested too deeply, through an
    /// event at the same instant.
    #[inline(always)]
    pub(super) fn enter<O: Observer>(&mut self, id: ServiceId, task: TaskId, o: &mut O) {
        if self.cx.depth >= MAX_DEPTH {
            let event = Event::Enter { service: id, task };
            self.cx.after(SimDuration::ZERO, event);
            return;
        }
        self.cx.depth += 1;
        self.enter_now(id, task, o);
        self.cx.depth -= 1;
    }

    /// `run_steps` for the other steps: calls, publishes, the end of the steps, and work
    /// that follows a publish. One of the two places (with `resume`) where the mutual
    /// recursion of hand-offs is cut, so that everything between them inlines.
    #[inline(never)]
    pub(super) fn run_other_steps<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        loop {
            let t = &self.cx.tasks[task];
            let (owner, step) = (t.owner, t.step as usize);
            let service = &mut self.services[t.service.index()];
            let next = match service.steps.get_mut(step) {
                None => None,
                Some(StepState::Work(sampler)) => {
                    let work = draw_work(sampler, &mut service.work_rng, service.slowdown);
                    return self.start_work(task, work);
                }
                Some(StepState::Page { limit, paging, rng }) => {
                    if service.queue.len() > *limit as usize {
                        let cost = paging.sample(rng);
                        self.message_paged(task, o);
                        return self.start_work(task, cost);
                    }
                    self.cx.tasks[task].step += 1;
                    continue;
                }
                Some(StepState::Call { to, caller }) => Some((*to, Some(*caller), 0)),
                Some(StepState::Publish { to, fanout }) => {
                    let count = fanout
                        .as_ref()
                        .map_or(1, |f| count(f.sample(&mut service.fanout_rng)));
                    Some((*to, None, count))
                }
            };
            match next {
                None => return self.end_service(task, false, o),
                Some((to, Some(caller), _)) => {
                    let root = owner.client_request();
                    let call = self.open_call(Origin::Task(task), caller, to, root);
                    return self.send_attempt(call, o);
                }
                Some((to, None, count)) => {
                    let root = owner.client_request();
                    for _ in 0..count {
                        if self.cx.overflow.is_some() {
                            return; // the run stops after this event
                        }
                        if !self.publish(root, to, o) {
                            return self.end_service(task, true, o);
                        }
                    }
                    self.cx.tasks[task].step += 1;
                }
            }
        }
    }

    /// Hands one message for client request `root` to service `to`; `false` if refused.
    fn publish<O: Observer>(&mut self, root: CallId, to: ServiceId, o: &mut O) -> bool {
        let accepted = matches!(
            self.services[to.index()].admission(),
            Admission::Serve | Admission::Wait | Admission::Overflow | Admission::Delayed
        );
        let message = self.new_task(Owner::Message { root });
        let r = &mut self.cx.calls[root];
        r.messages += 1;
        r.had_async = true;
        self.enter(to, message, o);
        accepted
    }

    /// A task blocked in a call step has the call's final outcome: it carries on with its
    /// next step, or fails. Out of line: it cuts the recursion through `end_service`.
    #[inline(never)]
    pub(super) fn resume<O: Observer>(&mut self, task: TaskId, outcome: Outcome, o: &mut O) {
        if outcome == Outcome::Success {
            self.cx.tasks[task].step += 1;
            self.run_steps(task, o);
        } else {
            self.end_service(task, true, o);
        }
    }
}

/// A fan-out draw (in the distribution's unit, here nanoseconds per "second") as a count.
fn count(drawn: SimDuration) -> u64 {
    ((drawn.0 as f64 / 1e9).round() as u64).min(MAX_FANOUT)
}
