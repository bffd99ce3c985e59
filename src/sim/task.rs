//! Work in progress: a task is one piece of work travelling through services (a client's
//! or caller's attempt, or an asynchronous message), addressed by a generational id so that
//! an event for a task that is gone is recognised and dropped.
//!
//! [`Sim::finish_task`] is the one place where a task that is done (served, failed or
//! rejected) is handed back to whoever owns it; [`Sim::lose_task`], for work lost in a
//! crash, decides what its owner sees and then goes through it too.

use super::call::CallId;
use super::client::Outcome;
use super::engine::{Context, Sim};
use super::observer::Observer;
use super::slab::Id;
use crate::model::{ServiceId, SimDuration, SimTime, SourceId};

/// A task's id: valid while the task lives, stale (and recognisably so) after.
pub(super) type TaskId = Id;

/// One piece of work: a client's or caller's attempt, or an asynchronous message.
#[derive(Clone, Copy, Debug)]
pub(super) struct Task {
    pub(super) owner: Owner,
    pub(super) service: ServiceId,
    pub(super) step: u32,
    /// When it reached its current service.
    pub(super) entered: SimTime,
    /// The duration of its current work step.
    pub(super) work: SimDuration,
    /// When its caller gave up on it (whatever is done for it from then on is wasted), or
    /// [`NOT_ABANDONED`].
    pub(super) abandoned_at: SimTime,
    /// Its place in its service's list of tasks held by workers, while a worker holds it.
    pub(super) held_at: u32,
    /// The message it delivers, while at a broker's queue (a slot of `Context::messages`),
    /// or [`NO_MESSAGE`].
    pub(super) message: u32,
}

/// `Task::abandoned_at` of a task whose caller still waits.
pub(super) const NOT_ABANDONED: SimTime = SimTime(u64::MAX);
/// `Task::message` of a task that delivers no message.
pub(super) const NO_MESSAGE: u32 = u32::MAX;

impl Task {
    /// Its caller gave up on it.
    #[inline(always)]
    pub(super) fn abandoned(&self) -> bool {
        self.abandoned_at != NOT_ABANDONED
    }
}

/// Whom a task works for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Owner {
    /// An attempt of call `call`, on behalf of client request `root` (a call too).
    Attempt { call: CallId, root: CallId },
    /// An asynchronous message published on behalf of client request `root`.
    Message { root: CallId },
    /// The one attempt of a plain request (see `SourceState::plain`), which needs no call
    /// record: it cannot time out or retry, and nothing it meets calls or publishes.
    Plain { source: SourceId, born: SimTime },
    /// A copy of a message whose visibility timeout lapsed while its consumer was still at
    /// it, on behalf of client request `root` (`Id::NONE` for a plain request's): it
    /// answers nobody.
    Copy { root: CallId },
}

impl Owner {
    /// The client request a task works for. Plain requests never reach a call or publish
    /// step, the only places that ask.
    #[inline]
    pub(super) fn client_request(self) -> CallId {
        match self {
            Owner::Attempt { root, .. } | Owner::Message { root } | Owner::Copy { root } => {
                debug_assert!(
                    root != Id::NONE,
                    "a plain request met a call or publish step"
                );
                root
            }
            Owner::Plain { .. } => unreachable!("a plain request met a call or publish step"),
        }
    }

    /// The client request a task works for, if it has a call record.
    #[inline]
    pub(super) fn request(self) -> Option<CallId> {
        match self {
            Owner::Attempt { root, .. } | Owner::Message { root } => Some(root),
            Owner::Copy { root } => (root != Id::NONE).then_some(root),
            Owner::Plain { .. } => None,
        }
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// A new task working for `owner`. Passing `max_in_flight` trips the guard, which stops
    /// the run after this event.
    #[inline(always)]
    pub(super) fn new_task(&mut self, owner: Owner) -> TaskId {
        if self.cx.tasks.full(self.cx.max_in_flight) {
            self.trip_in_flight();
        }
        if let Some(root) = owner.request() {
            self.cx.calls[root].tasks += 1;
        }
        self.cx.tasks.insert(Task {
            owner,
            service: ServiceId(0),
            step: 0,
            entered: self.cx.now,
            work: SimDuration::ZERO,
            abandoned_at: NOT_ABANDONED,
            held_at: u32::MAX,
            message: NO_MESSAGE,
        })
    }

    /// A task leaves the system with `outcome`: answer its caller, or count a message done.
    #[inline(always)]
    pub(super) fn finish_task<O: Observer>(&mut self, task: TaskId, outcome: Outcome, o: &mut O) {
        let t = &self.cx.tasks[task];
        let (owner, abandoned) = (t.owner, t.abandoned());
        match owner {
            Owner::Plain { source, born } => {
                self.answer(source, born, outcome, 1, o);
                self.cx.remove_task::<LEAN>(task);
            }
            Owner::Message { root } => {
                let r = &mut self.cx.calls[root];
                r.messages -= 1;
                r.last_message_done = self.cx.now;
                self.report_async(root, o);
                self.cx.remove_task::<LEAN>(task);
            }
            // Nobody is waiting for it any more (or ever was).
            Owner::Attempt { .. } if abandoned => self.cx.remove_task::<LEAN>(task),
            Owner::Copy { .. } => self.cx.remove_task::<LEAN>(task),
            Owner::Attempt { call, .. } => {
                // The client request outlives this task only if something else still
                // refers to it, so settle the call before the task goes.
                self.cx.calls[call].task = Id::NONE;
                self.attempt_ended(call, outcome, o);
                self.cx.remove_task::<LEAN>(task);
            }
        }
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// A task lost in a crash. A plain request's client sees a failure (the connection
    /// broke); an attempt's caller sees a failure too, unless it has a timeout: then it
    /// sees nothing until the timer fires. A lost message never completes, so its request's
    /// asynchronous work is never reported done.
    pub(super) fn lose_task<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let t = &self.cx.tasks[task];
        match t.owner {
            Owner::Plain { .. } => self.finish_task(task, Outcome::Failed, o),
            Owner::Attempt { .. } if t.abandoned() => self.cx.remove_task::<LEAN>(task),
            Owner::Copy { .. } => self.cx.remove_task::<LEAN>(task),
            Owner::Attempt { call, .. } if self.waits_for_timeout(call) => {
                self.cx.remove_task::<LEAN>(task);
            }
            Owner::Attempt { .. } => self.finish_task(task, Outcome::Failed, o),
            Owner::Message { root } => {
                let r = &mut self.cx.calls[root];
                r.messages -= 1;
                r.message_lost = true;
                self.cx.remove_task::<LEAN>(task);
            }
        }
    }
}

impl Context {
    /// Removes a task, and its client request if that was the last thing keeping it (and,
    /// off the lean path, its message if it was the last task delivering it).
    #[inline(always)]
    pub(super) fn remove_task<const LEAN: bool>(&mut self, task: TaskId) {
        let owner = self.tasks[task].owner;
        if !LEAN {
            self.detach_message(task);
        }
        self.tasks.remove(task);
        if let Some(root) = owner.request() {
            self.calls[root].tasks -= 1;
            self.release_root(root);
        }
    }
}
