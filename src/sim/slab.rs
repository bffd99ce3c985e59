//! Fixed-slot storage with reuse: entities are addressed by `u32` index, and a freed slot is
//! reused before the storage grows, so the steady state allocates nothing.

/// Slots holding `T`, with a free list.
#[derive(Debug)]
pub(crate) struct Slab<T> {
    slots: Vec<T>,
    free: Vec<u32>,
}

impl<T> Slab<T> {
    /// Room for `capacity` live entries before growing.
    pub(crate) fn with_capacity(capacity: usize) -> Slab<T> {
        Slab {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
        }
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

    /// Stores `value` and returns its slot.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = value;
                slot
            }
            None => {
                self.slots.push(value);
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Frees `slot`; its value stays until the slot is reused, but must not be read.
    #[inline]
    pub(crate) fn remove(&mut self, slot: u32) {
        self.free.push(slot);
    }
}

impl<T> std::ops::Index<u32> for Slab<T> {
    type Output = T;
    #[inline]
    fn index(&self, slot: u32) -> &T {
        &self.slots[slot as usize]
    }
}

impl<T> std::ops::IndexMut<u32> for Slab<T> {
    #[inline]
    fn index_mut(&mut self, slot: u32) -> &mut T {
        &mut self.slots[slot as usize]
    }
}
