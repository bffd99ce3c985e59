//! Broker queues: a service whose waiting room has a delivery guarantee treats each task
//! that it admits as a message, and its workers as the consumers.
//!
//! A message is a record in `Context::messages` that the tasks delivering it point to
//! (`Task::message`). The guarantee decides what a consumer crash does to the message it
//! held (`survives_crash`): lost (at most once, or acknowledged early); back at the head of
//! the queue (acknowledged), or dead-lettered past the delivery limit; hidden until its
//! visibility timeout lapses (at least once). A lapsed visibility makes the message
//! visible again, even when its consumer is only slow: then a copy of it (a task owned by
//! `Owner::Copy`) joins the queue and the message is processed twice. Only the holder of
//! the latest receive deletes it; a duplicate's processing is counted, not undone, unless
//! the consumers are idempotent and still remember the message (`remembers`): then a
//! duplicate received after the first processing costs only the check, and one that was
//! already under way when it ended is rolled back (deduplicated, not processed twice).
//!
//! A full broker queue that drops instead of rejecting (`Overflow`) takes the message and
//! discards it, or the oldest one waiting: that message is lost, its publisher unaware.

use super::engine::{Context, Sim};
use super::event::Event;
use super::observer::{MessageEvent, Observer};
use super::service::ServiceState;
use super::slab::Id;
use super::task::{NO_MESSAGE, Owner, TaskId};
use crate::model::{DedupWindow, Delivery, Overflow, ServiceId, SimDuration, SimTime};

/// A message's id: its slot in `Context::messages`, with a generation for its timers.
pub(super) type MessageId = Id;

/// One message at a broker's queue.
#[derive(Clone, Copy, Debug)]
pub(super) struct Message {
    service: ServiceId,
    /// When its queue accepted it.
    published: SimTime,
    /// Times a consumer has taken it.
    receives: u32,
    /// Times a consumer has finished processing it.
    processed: u32,
    /// Completed, lost or dead-lettered: only duplicates still running may add to it.
    done: bool,
    /// Tasks delivering it: the original, and copies made when its visibility lapsed.
    tasks: u32,
    /// The task holding its latest receive, until that receive's visibility lapses.
    holder: TaskId,
    /// Its task, set aside after its consumer crashed, until its visibility lapses.
    hidden: TaskId,
    /// When it was last processed (not deduplicated): its service's `remembered` count
    /// then, or the time in nanoseconds, as its consumers' window counts.
    remembered_at: u64,
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// A task admitted by service `id` becomes a message, if the service is a broker queue.
    #[inline(always)]
    pub(super) fn accept_message<O: Observer>(&mut self, id: ServiceId, task: TaskId, o: &mut O) {
        if self.services[id.index()].delivery.is_some() {
            let message = self.cx.messages.insert(Message {
                service: id,
                published: self.cx.now,
                receives: 0,
                processed: 0,
                done: false,
                tasks: 1,
                holder: Id::NONE,
                hidden: Id::NONE,
                remembered_at: 0,
            });
            self.cx.tasks[task].message = message.slot_index();
            o.on_message(self.cx.now, id, MessageEvent::Published, SimDuration::ZERO);
        }
    }

    /// A consumer takes `task`: a receive of its message, whose visibility timer starts.
    /// Returns whether the consumer recognises it as a message it processed before.
    #[inline(always)]
    pub(super) fn receive_message<O: Observer>(&mut self, task: TaskId, o: &mut O) -> bool {
        let slot = self.cx.tasks[task].message;
        if slot == NO_MESSAGE {
            return false;
        }
        let id = self.cx.messages.id_at(slot);
        let m = &mut self.cx.messages[id];
        m.receives += 1;
        m.holder = task;
        let (service, receive, age) = (m.service, m.receives, self.cx.now - m.published);
        let event = if receive == 1 {
            MessageEvent::Delivered
        } else {
            MessageEvent::Redelivered
        };
        o.on_message(self.cx.now, service, event, age);
        if let Some(Delivery::AtLeastOnce { visibility, .. }) =
            self.services[service.index()].delivery
        {
            let event = Event::Visibility {
                message: id,
                receive,
            };
            self.cx.after(visibility, event);
        }
        let service = &self.services[service.index()];
        let m = &self.cx.messages[id];
        remembers(service, m, self.cx.now)
    }

    /// A consumer recognised `task` as a duplicate: it only checks it, then acknowledges.
    #[cold]
    pub(super) fn check_duplicate(&mut self, task: TaskId) {
        let t = &mut self.cx.tasks[task];
        let service = &self.services[t.service.index()];
        t.step = service.steps.len() as u32 - 1;
        let check = service
            .idempotent
            .expect("only idempotent consumers recognise")
            .check;
        self.start_work(task, check);
    }

    /// `task`'s consumer has processed its message: counted (a duplicate if it was
    /// processed before, deduplicated if its consumers remember that), and completed
    /// unless only a copy's later receive may delete it. The task no longer delivers it.
    /// Returns whether it was deduplicated: its processing is undone.
    #[inline(always)]
    pub(super) fn message_processed<O: Observer>(&mut self, task: TaskId, o: &mut O) -> bool {
        let slot = self.cx.tasks[task].message;
        if slot == NO_MESSAGE {
            return false;
        }
        let id = self.cx.messages.id_at(slot);
        let (now, m) = (self.cx.now, &mut self.cx.messages[id]);
        let service = &mut self.services[m.service.index()];
        let deduplicated = remembers(service, m, now);
        let event = if deduplicated {
            MessageEvent::Deduplicated
        } else {
            m.processed += 1;
            if let Some(i) = service.idempotent {
                service.remembered += 1;
                m.remembered_at = match i.window {
                    DedupWindow::Messages(_) => service.remembered,
                    DedupWindow::Time(_) => now.0,
                };
            }
            if m.processed == 1 {
                MessageEvent::Processed
            } else {
                MessageEvent::Duplicate
            }
        };
        let (service, age) = (m.service, now - m.published);
        o.on_message(now, service, event, age);
        let deletes = match self.services[service.index()].delivery {
            Some(Delivery::AtLeastOnce { .. }) => m.holder == task,
            _ => true,
        };
        self.end_message(id, deletes, MessageEvent::Completed, o);
        self.cx.detach_message(task);
        deduplicated
    }

    /// Service `id`'s queue is full and drops a message to take `task`'s (`Overflow`): the
    /// oldest waiting, or, when asked to or when nothing waits, this one. The dropped
    /// message's service counts it dropped unstarted; it is lost.
    #[cold]
    #[inline(never)]
    pub(super) fn overflow<O: Observer>(&mut self, id: ServiceId, task: TaskId, o: &mut O) {
        let now = self.cx.now;
        let service = &mut self.services[id.index()];
        service.queue.push_back(task);
        service.tally_waiting(now, 1);
        o.on_admit(now, id, true);
        self.accept_message(id, task, o);
        let service = &mut self.services[id.index()];
        let dropped = match service.overflow {
            Overflow::DropOldest => service.queue.pop_front(),
            _ => service.queue.pop_back(),
        };
        let dropped = dropped.expect("it was just queued");
        service.tally_waiting(now, -1);
        o.on_drop(now, id, now - self.cx.tasks[dropped].entered, true);
        let slot = self.cx.tasks[dropped].message;
        let message = self.cx.messages.id_at(slot);
        self.end_message(message, true, MessageEvent::Dropped, o);
        self.lose_task(dropped, o);
    }

    /// `task`'s receive pays the paging time of a broker beyond its memory.
    pub(super) fn message_paged<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let t = &self.cx.tasks[task];
        let m = &self.cx.messages[self.cx.messages.id_at(t.message)];
        let age = self.cx.now - m.published;
        o.on_message(self.cx.now, t.service, MessageEvent::Paged, age);
    }

    /// `task`, at a broker queue, is dropped by its consumer as expired: its message is done.
    pub(super) fn message_dropped<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let slot = self.cx.tasks[task].message;
        if slot != NO_MESSAGE {
            let id = self.cx.messages.id_at(slot);
            self.end_message(id, true, MessageEvent::Completed, o);
        }
    }

    /// The consumer holding `task` at service `id` crashed (or the service went down). Returns
    /// whether the message lives on, the task kept (requeued or hidden); otherwise it is
    /// counted lost or dead-lettered here and the caller loses the task.
    pub(super) fn survives_crash<O: Observer>(
        &mut self,
        id: ServiceId,
        task: TaskId,
        o: &mut O,
    ) -> bool {
        let slot = self.cx.tasks[task].message;
        let Some(delivery) = self.services[id.index()]
            .delivery
            .filter(|_| slot != NO_MESSAGE)
        else {
            return false;
        };
        let message = self.cx.messages.id_at(slot);
        self.cx.messages[message].holder = Id::NONE;
        let receives = self.cx.messages[message].receives;
        match delivery {
            Delivery::AtMostOnce { .. } | Delivery::Acknowledged { early: true, .. } => {
                self.end_message(message, true, MessageEvent::Lost, o);
                false
            }
            Delivery::Acknowledged { limit, .. } if limit.is_some_and(|l| receives >= l.get()) => {
                self.end_message(message, true, MessageEvent::DeadLettered, o);
                false
            }
            // Kept under a new id: the work step it was in has an event pending, now stale.
            Delivery::Acknowledged { .. } => {
                let task = self.cx.renew_task(task);
                self.requeue(id, task, true, o);
                true
            }
            Delivery::AtLeastOnce { .. } => {
                let task = self.cx.renew_task(task);
                self.cx.messages[message].hidden = task;
                true
            }
        }
    }

    /// A task lost from service `id`'s queue (the queue went with its service, or its
    /// broker crashed): its message is lost by the broker.
    pub(super) fn message_lost_queued<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let slot = self.cx.tasks[task].message;
        if slot != NO_MESSAGE {
            let id = self.cx.messages.id_at(slot);
            self.end_message(id, true, MessageEvent::LostByBroker, o);
        }
    }

    /// Service `id`'s broker crashes: it refuses publishes and delivers nothing until the
    /// schedule brings it back (`Fault::Up`). Of the waiting messages, a durable queue keeps
    /// all (acknowledged and durable, or at least once); an at-most-once one with
    /// persistence those published up to its last sync (every `persistence`, at a phase
    /// drawn for the run), without it none; a transient one none. Consumers finish what they hold.
    #[cold]
    pub(super) fn broker_crash<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        let now = self.cx.now;
        let service = &mut self.services[id.index()];
        service.broker_down = true;
        service.refusing = true;
        service.set_up(now, service.workers);
        let synced = match service
            .delivery
            .expect("only a broker queue's broker crashes")
        {
            Delivery::AtMostOnce { persistence: None }
            | Delivery::Acknowledged { durable: false, .. } => None,
            Delivery::AtMostOnce {
                persistence: Some(every),
            } => {
                // The last sync: `sync_phase` past a multiple of `every` (none before 0).
                let since = now.0.checked_sub(service.sync_phase.0);
                since.map(|t| SimTime(now.0 - t % every.0))
            }
            Delivery::Acknowledged { durable: true, .. } | Delivery::AtLeastOnce { .. } => {
                Some(now)
            }
        };
        // Each waiting task once, in order: the survivors go back to the tail.
        for _ in 0..self.services[id.index()].queue.len() {
            let service = &mut self.services[id.index()];
            let task = service.queue.pop_front().expect("counted");
            let slot = self.cx.tasks[task].message;
            let published = self.cx.messages[self.cx.messages.id_at(slot)].published;
            if synced.is_some_and(|at| published <= at) {
                service.queue.push_back(task);
            } else {
                service.tally_waiting(now, -1);
                self.lose(id, task, true, o);
            }
        }
    }

    /// Receive number `receive` of `message` is out of its visibility timeout: unless the
    /// message was deleted or received again since, it is visible again (its hidden task,
    /// or else a copy, joins the queue), or dead-lettered once received `max_receives` times.
    pub(super) fn visibility_lapsed<O: Observer>(
        &mut self,
        message: MessageId,
        receive: u32,
        o: &mut O,
    ) {
        let Some(m) = self.cx.messages.get_mut(message) else {
            return;
        };
        if m.done || m.receives != receive {
            return;
        }
        let (id, holder, hidden) = (m.service, m.holder, m.hidden);
        let age = self.cx.now - m.published;
        m.holder = Id::NONE;
        m.hidden = Id::NONE;
        o.on_message(self.cx.now, id, MessageEvent::Expired, age);
        let Some(Delivery::AtLeastOnce { max_receives, .. }) = self.services[id.index()].delivery
        else {
            unreachable!("a visibility timer at a queue without one");
        };
        if max_receives.is_some_and(|n| receive >= n.get()) {
            self.end_message(message, true, MessageEvent::DeadLettered, o);
            if hidden != Id::NONE {
                self.lose_task(hidden, o);
            }
            return;
        }
        let task = if hidden != Id::NONE {
            hidden
        } else {
            // Its consumer is still at it: a second one will take the copy.
            let root = self.cx.tasks[holder].owner.request().unwrap_or(Id::NONE);
            let copy = self.new_task(Owner::Copy { root });
            self.cx.tasks[copy].message = message.slot_index();
            self.cx.messages[message].tasks += 1;
            copy
        };
        self.requeue(id, task, false, o);
    }

    /// `task` waits again at service `id`, at the head of the queue (`front`) or its tail,
    /// from its first step, whatever room the queue has left (it never left the broker).
    fn requeue<O: Observer>(&mut self, id: ServiceId, task: TaskId, front: bool, o: &mut O) {
        let now = self.cx.now;
        let t = &mut self.cx.tasks[task];
        t.service = id;
        t.step = 0;
        t.entered = now;
        let service = &mut self.services[id.index()];
        if front {
            service.queue.push_front(task);
        } else {
            service.queue.push_back(task);
        }
        service.tally_waiting(now, 1);
        o.on_admit(now, id, true);
        self.fill_workers(id, o);
    }

    /// Ends `message` with `how` (once: later ends of a done message are not counted), if
    /// `ends`.
    fn end_message<O: Observer>(
        &mut self,
        message: MessageId,
        ends: bool,
        how: MessageEvent,
        o: &mut O,
    ) {
        let m = &mut self.cx.messages[message];
        if ends && !m.done {
            m.done = true;
            o.on_message(self.cx.now, m.service, how, self.cx.now - m.published);
        }
    }
}

/// Whether `service`'s consumers remember having processed `m` (at `now`).
#[inline(always)]
fn remembers(service: &ServiceState, m: &Message, now: SimTime) -> bool {
    let Some(i) = service.idempotent.filter(|_| m.processed > 0) else {
        return false;
    };
    match i.window {
        DedupWindow::Messages(n) => service.remembered - m.remembered_at < u64::from(n.get()),
        DedupWindow::Time(w) => now.0 - m.remembered_at < w.0,
    }
}

impl Context {
    /// `task` under a new id (the same slot, the next generation), so that the events
    /// pending for it under the old one are recognised as stale; its call follows.
    fn renew_task(&mut self, task: TaskId) -> TaskId {
        let value = self.tasks[task];
        self.tasks.remove(task);
        let renewed = self.tasks.insert(value);
        if let Owner::Attempt { call, .. } = value.owner
            && self.calls[call].task == task
        {
            self.calls[call].task = renewed;
        }
        renewed
    }

    /// `task` no longer delivers its message, which goes once nothing delivers it.
    #[inline(always)]
    pub(super) fn detach_message(&mut self, task: TaskId) {
        let t = &mut self.tasks[task];
        let slot = std::mem::replace(&mut t.message, NO_MESSAGE);
        if slot == NO_MESSAGE {
            return;
        }
        let id = self.messages.id_at(slot);
        let m = &mut self.messages[id];
        m.tasks -= 1;
        if m.tasks == 0 {
            debug_assert!(m.done, "a message left without an end");
            self.messages.remove(id);
        }
    }
}
