//! Mapping a slice on every core, keeping the order: for long lists whose items are independent
//! (files to read, projects to parse, commits to classify).

/// `items.iter().map(f).collect()`, split into one run of items per thread (at most 8) when
/// there are at least `serial_below` items; in order either way. A panic in `f` is re-raised.
pub(crate) fn map_in_parallel<T: Sync, R: Send>(
    items: &[T],
    serial_below: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    // Short lists first: asking the core count reads the cgroup files every time (std does
    // not cache it), which on 10,000 short lists cost more than the lists.
    if items.len() < serial_below.max(2) {
        return items.iter().map(f).collect();
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_in_parallel_and_serially() {
        let items: Vec<u32> = (0..10_000).collect();
        let doubled: Vec<u32> = items.iter().map(|i| i * 2).collect();
        assert_eq!(super::map_in_parallel(&items, 64, |i| i * 2), doubled);
        assert_eq!(super::map_in_parallel(&items, usize::MAX, |i| i * 2), doubled);
    }
}
