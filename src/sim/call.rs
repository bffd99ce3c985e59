//! Calls: a caller's logical request to a service (a source's client request, or a `call`
//! step of a task) over one or more attempts, with their timers and backoffs.
//!
//! Timers are never cancelled. Each carries the call's generational id and the number of
//! the attempt it was set for, and is ignored when the call is gone or has moved on.

use super::client::Outcome;
use super::engine::{Context, Sim};
use super::event::Event;
use super::observer::Observer;
use super::slab::Id;
use super::task::{Owner, TaskId};
use crate::model::{ServiceId, SimDuration, SimTime, SourceId};

/// A call's id: valid while the call lives.
pub(super) type CallId = Id;

/// A caller's logical request to a service, over one or more attempts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Call {
    pub(super) origin: Origin,
    caller: u32,
    target: ServiceId,
    attempts: u32,
    /// The outstanding attempt; `Id::NONE` between attempts.
    pub(super) task: TaskId,
    born: SimTime,
    last_sleep: SimDuration,
    /// The client request this call serves (itself, for a client request).
    root: CallId,
    /// Client requests only: tasks alive on its behalf (attempts, abandoned ones included,
    /// calls' attempts and messages), messages among them, whether any message was sent,
    /// and whether the client has its answer. The slot lives until it is answered and no
    /// task refers to it.
    pub(super) tasks: u32,
    pub(super) messages: u32,
    pub(super) had_async: bool,
    answered: bool,
    async_reported: bool,
    /// A message of this request was lost in a crash: its asynchronous work never ends.
    pub(super) message_lost: bool,
    /// When the last message so far finished.
    pub(super) last_message_done: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Source(SourceId),
    /// A task blocked in a call step, waiting for this call.
    Task(TaskId),
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// A new call; `root` is `Id::NONE` for a client request, which is its own root.
    #[inline(always)]
    pub(super) fn open_call(
        &mut self,
        origin: Origin,
        caller: u32,
        target: ServiceId,
        root: CallId,
    ) -> CallId {
        if self.cx.calls.full(self.cx.max_in_flight) {
            self.trip_in_flight();
        }
        self.callers[caller as usize].on_request();
        let call = self.cx.calls.insert(Call {
            origin,
            caller,
            target,
            attempts: 0,
            task: Id::NONE,
            born: self.cx.now,
            last_sleep: SimDuration::ZERO,
            root,
            tasks: 0,
            messages: 0,
            had_async: false,
            answered: false,
            async_reported: false,
            message_lost: false,
            last_message_done: SimTime::ZERO,
        });
        if root == Id::NONE {
            self.cx.calls[call].root = call;
        }
        call
    }

    /// Sends the call's next attempt, with its timer if the caller has a timeout.
    #[inline(always)]
    pub(super) fn send_attempt<O: Observer>(&mut self, id: CallId, o: &mut O) {
        let call = &mut self.cx.calls[id];
        call.attempts += 1;
        let (origin, attempt, caller) = (call.origin, call.attempts, call.caller);
        let (root, target) = (call.root, call.target);
        if let Origin::Source(source) = origin {
            o.on_attempt(self.cx.now, source, attempt);
        }
        if let Some(timeout) = self.callers[caller as usize].timeout {
            self.cx.after(timeout, Event::Timeout { call: id, attempt });
        }
        let task = self.new_task(Owner::Attempt { call: id, root });
        self.cx.calls[id].task = task;
        self.enter(target, task, o);
    }

    /// An attempt's timer: the caller gives up on it unless it has answered already.
    pub(super) fn timeout<O: Observer>(&mut self, id: CallId, attempt: u32, o: &mut O) {
        let Some(call) = self.cx.calls.get_mut(id) else {
            return; // the call is over
        };
        if call.attempts != attempt || call.task == Id::NONE {
            return; // that attempt has answered
        }
        let (task, target) = (call.task, call.target);
        call.task = Id::NONE;
        if let Some(t) = self.cx.tasks.get_mut(task) {
            t.abandoned_at = self.cx.now;
        }
        o.on_timeout(self.cx.now, target);
        self.attempt_ended(id, Outcome::TimedOut, o);
    }

    /// A backoff is over: the call sends its next attempt.
    pub(super) fn retry<O: Observer>(&mut self, id: CallId, attempt: u32, o: &mut O) {
        let Some(call) = self.cx.calls.get_mut(id) else {
            return;
        };
        if call.attempts != attempt {
            return;
        }
        // A call whose calling task was lost during the backoff is over: nothing would
        // take its answer, and its client request may be gone.
        if let Origin::Task(parent) = call.origin
            && !self.cx.tasks.contains(parent)
        {
            self.cx.calls.remove(id);
            return;
        }
        self.send_attempt(id, o);
    }

    /// Whether call `id`'s caller learns of a lost attempt only by its timeout.
    pub(super) fn waits_for_timeout(&self, id: CallId) -> bool {
        let caller = self.cx.calls[id].caller as usize;
        self.callers[caller].timeout.is_some()
    }

    /// The current attempt of call `id` ended: retry after a backoff, or settle the call.
    /// A call whose calling task was lost (in a crash) does not retry.
    #[inline(always)]
    pub(super) fn attempt_ended<O: Observer>(&mut self, id: CallId, outcome: Outcome, o: &mut O) {
        let call = &self.cx.calls[id];
        let (attempt, last_sleep) = (call.attempts, call.last_sleep);
        let orphan = matches!(call.origin, Origin::Task(t) if !self.cx.tasks.contains(t));
        let caller = &mut self.callers[call.caller as usize];
        if outcome != Outcome::Success && !orphan && caller.should_retry(outcome, attempt) {
            let mut last = last_sleep;
            let sleep = caller.backoff(attempt, &mut last);
            self.cx.calls[id].last_sleep = last;
            self.cx.after(sleep, Event::Retry { call: id, attempt });
            return;
        }
        self.call_done(id, outcome, o);
    }

    #[inline(always)]
    fn call_done<O: Observer>(&mut self, id: CallId, outcome: Outcome, o: &mut O) {
        let call = &self.cx.calls[id];
        match call.origin {
            Origin::Source(source) => {
                self.answer(source, call.born, outcome, call.attempts, o);
                self.cx.calls[id].answered = true;
                self.report_async(id, o);
                self.cx.release_root(id);
            }
            Origin::Task(parent) => {
                self.cx.calls.remove(id);
                if self.cx.tasks.contains(parent) {
                    self.resume(parent, outcome, o);
                }
            }
        }
    }

    /// Reports, once, when a client request's asynchronous work is all done: as soon as it
    /// is answered and no message is in flight, timed at the last message's end. Messages
    /// published later (by an abandoned attempt still running) do not report again.
    #[inline(always)]
    pub(super) fn report_async<O: Observer>(&mut self, root: CallId, o: &mut O) {
        let call = &self.cx.calls[root];
        let done = call.messages == 0 && !call.message_lost;
        if call.answered && call.had_async && !call.async_reported && done {
            if let Origin::Source(source) = call.origin {
                let latency = call.last_message_done - call.born;
                o.on_async_done(self.cx.now, source, latency);
            }
            self.cx.calls[root].async_reported = true;
        }
    }
}

impl Context {
    /// Frees a client request once it is answered and no task refers to it.
    #[inline(always)]
    pub(super) fn release_root(&mut self, root: CallId) {
        let call = &self.calls[root];
        if call.answered && call.tasks == 0 {
            self.calls.remove(root);
        }
    }
}
