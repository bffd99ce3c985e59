use super::*;

#[test]
fn a_removed_id_is_stale_even_after_its_slot_is_reused() {
    let mut slab = Slab::with_capacity(1);
    let first = slab.insert("first");
    slab.remove(first);
    assert!(!slab.contains(first), "removed");
    let second = slab.insert("second");
    assert_eq!(slab.live(), 1);
    assert!(slab.contains(second));
    assert!(!slab.contains(first), "its slot now holds another entity");
    assert_eq!(slab.get_mut(first), None);
    assert_eq!(slab.get_mut(second).copied(), Some("second"));
    assert!(!slab.contains(Id::NONE));
}

#[test]
fn slots_are_reused_before_the_storage_grows() {
    let mut slab = Slab::with_capacity(2);
    let a = slab.insert(1);
    let b = slab.insert(2);
    assert!(slab.full(2));
    slab.remove(a);
    assert!(!slab.full(2), "a free slot");
    let c = slab.insert(3);
    assert_eq!((slab[b], slab[c]), (2, 3));
    assert_eq!(slab.slots.len(), 2);
}
