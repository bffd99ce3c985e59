//! Slots with reuse and generations: an entity is addressed by an [`Id`] (slot and
//! generation), a freed slot is reused before the storage grows, so the steady state
//! allocates nothing, and an id kept past its entity's removal (a pending event for work
//! that was lost, say) is recognised as stale instead of reaching whatever took its slot.

/// A slot (the low 32 bits) and the generation it had when the entity was stored (the
/// high 32): one word, compared in one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Id(u64);

impl Id {
    /// An id that no slab hands out: no slab has 2³² slots.
    pub(crate) const NONE: Id = Id(u64::MAX);

    #[inline(always)]
    fn new(slot: u32, generation: u32) -> Id {
        Id(u64::from(generation) << 32 | u64::from(slot))
    }

    /// Its slot, for keeping where a whole id does not fit (see [`Slab::id_at`]).
    #[inline(always)]
    pub(crate) fn slot_index(self) -> u32 {
        self.0 as u32
    }

    #[inline(always)]
    fn slot(self) -> usize {
        self.0 as u32 as usize
    }

    #[inline(always)]
    fn generation(self) -> u32 {
        (self.0 >> 32) as u32
    }
}

/// Slots holding `T`, with a free list.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    slots: Vec<T>,
    /// Per slot, bumped by each removal, so the ids of removed entries never match again
    /// (until 2³² reuses of one slot). Apart from the values, so that indexing by slot
    /// keeps the values' own stride.
    generations: Vec<u32>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    /// Room for `capacity` live entries before growing.
    pub(crate) fn with_capacity(capacity: usize) -> Slab<T> {
        Slab {
            slots: Vec::with_capacity(capacity),
            generations: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
        }
    }

    /// The id of the live entity in `slot` (a slot kept where a whole id does not fit).
    #[inline]
    pub(crate) fn id_at(&self, slot: u32) -> Id {
        Id::new(slot, self.generations[slot as usize])
    }

    /// Entries alive.
    pub(crate) fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether `limit` entries are alive and the next insert would grow the storage. Checked
    /// before each insert, this trips exactly when an insert would pass `limit` live entries
    /// (with a free slot, fewer than `limit` are alive), without counting them every time.
    #[inline]
    pub(crate) fn full(&self, limit: usize) -> bool {
        self.free.is_empty() && self.slots.len() >= limit
    }

    /// Stores `value` and returns its id.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> Id {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = value;
                Id::new(slot, self.generations[slot as usize])
            }
            None => {
                self.slots.push(value);
                self.generations.push(0);
                Id::new((self.slots.len() - 1) as u32, 0)
            }
        }
    }

    /// Removes the entity `id`; its value stays until the slot is reused, but its id no
    /// longer matches.
    #[inline]
    pub(crate) fn remove(&mut self, id: Id) {
        debug_assert!(self.contains(id), "removing a stale id");
        let generation = &mut self.generations[id.slot()];
        *generation = generation.wrapping_add(1);
        self.free.push(id.slot() as u32);
    }

    /// Whether `id` names a live entity (not a removed one, nor one in a reused slot).
    #[inline]
    pub(crate) fn contains(&self, id: Id) -> bool {
        self.generations.get(id.slot()) == Some(&id.generation())
    }

    /// The entity `id`, if it is still alive.
    #[inline]
    pub(crate) fn get_mut(&mut self, id: Id) -> Option<&mut T> {
        if self.contains(id) {
            Some(&mut self.slots[id.slot()])
        } else {
            None
        }
    }
}

/// Indexing expects a live id: the engine indexes only entities it knows are alive, and
/// checks ids that may be stale (those carried by events) with [`Slab::contains`].
impl<T> std::ops::Index<Id> for Slab<T> {
    type Output = T;
    #[inline]
    fn index(&self, id: Id) -> &T {
        debug_assert!(self.contains(id), "a stale id");
        &self.slots[id.slot()]
    }
}

impl<T> std::ops::IndexMut<Id> for Slab<T> {
    #[inline]
    fn index_mut(&mut self, id: Id) -> &mut T {
        debug_assert!(self.contains(id), "a stale id");
        &mut self.slots[id.slot()]
    }
}

#[cfg(test)]
mod tests;
