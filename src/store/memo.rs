//! Answers remembered for one store generation.
//!
//! A read-only answer (a page of posts, as the JSON the API sends) depends
//! on the caller, the request and the stored data. The data changes only
//! by a commit, and every commit moves the store's generation on
//! ([`super::Store::generation`]). An answer computed from a snapshot that
//! was opened after the generation was read as `n` is therefore exactly
//! the answer any later request with the same key would compute, for as
//! long as the generation is still `n`; the first commit after it makes
//! every remembered answer unreachable, and the next `put` drops them.
//!
//! So nothing here is ever stale, and nothing needs to know what a write
//! touched. The price is that any commit (a sign-in, a like anywhere)
//! forgets everything: this helps pages that are read again and again
//! between writes (an app polling its group), which is the common case
//! on a small site, and costs a hash lookup otherwise.
//!
//! Memory is bounded by a budget in bytes; an answer larger than a
//! sixteenth of it is not kept, and past the budget arbitrary entries go.

use bytes::Bytes;
use prometheus_client::metrics::counter::Counter;
use std::collections::HashMap;
use std::sync::Mutex;

pub struct Memo {
    budget: usize,
    state: Mutex<State>,
    /// Shared handles, registered with `/metrics`.
    pub hits: Counter,
    pub misses: Counter,
}

#[derive(Default)]
struct State {
    generation: u64,
    bytes: usize,
    answers: HashMap<String, Bytes>,
}

/// How much a remembered answer costs beyond its bytes (its key, the map's
/// slot, the `Bytes` header), so that a budget also bounds many small ones.
const OVERHEAD: usize = 96;

impl Memo {
    /// A memo holding at most `budget` bytes of answers; 0 keeps nothing.
    pub fn new(budget: usize) -> Memo {
        Memo { budget, state: Mutex::new(State::default()), hits: Counter::default(), misses: Counter::default() }
    }

    /// Whether it keeps anything at all.
    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The answer remembered under `key` for `generation`.
    pub fn get(&self, generation: u64, key: &str) -> Option<Bytes> {
        if !self.enabled() {
            return None;
        }
        let found = self
            .state
            .lock()
            .ok()
            .and_then(|s| if s.generation == generation { s.answers.get(key).cloned() } else { None });
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.inc();
        found
    }

    /// Remembers `answer`, computed from a snapshot opened after the
    /// generation was read as `generation`. An answer of an older
    /// generation than the one kept now is not remembered.
    pub fn put(&self, generation: u64, key: String, answer: Bytes) {
        let cost = answer.len() + key.len() + OVERHEAD;
        if !self.enabled() || cost > self.budget / 16 {
            return;
        }
        let Ok(mut s) = self.state.lock() else { return };
        if generation < s.generation {
            return;
        }
        if generation > s.generation {
            s.answers.clear();
            s.bytes = 0;
            s.generation = generation;
        }
        if let Some(old) = s.answers.remove(&key) {
            s.bytes -= old.len() + key.len() + OVERHEAD;
        }
        while s.bytes + cost > self.budget {
            let Some(victim) = s.answers.keys().next().cloned() else { break };
            if let Some(old) = s.answers.remove(&victim) {
                s.bytes -= old.len() + victim.len() + OVERHEAD;
            }
        }
        s.bytes += cost;
        s.answers.insert(key, answer);
    }
}

#[cfg(test)]
impl Memo {
    /// Lookups that found an answer, and those that did not, since start.
    fn counts(&self) -> (u64, u64) {
        (self.hits.get(), self.misses.get())
    }

    /// The bytes held now (answers and their overhead).
    fn bytes(&self) -> usize {
        self.state.lock().map(|s| s.bytes).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn an_answer_lives_exactly_as_long_as_its_generation() {
        let m = Memo::new(1 << 20);
        m.put(3, "k".into(), b("three"));
        assert_eq!(m.get(3, "k"), Some(b("three")));
        assert_eq!(m.get(3, "other"), None);
        // A commit happened: the answer is gone, whatever is asked.
        assert_eq!(m.get(4, "k"), None);
        // A slow request of the old generation cannot bring it back.
        m.put(4, "k".into(), b("four"));
        m.put(3, "k".into(), b("three again"));
        assert_eq!(m.get(4, "k"), Some(b("four")));
        assert_eq!(m.get(3, "k"), None);
        assert_eq!(m.counts(), (2, 3));
    }

    #[test]
    fn the_budget_bounds_the_bytes_held() {
        let m = Memo::new(16 * 1024);
        // Larger than a sixteenth of the budget: never kept.
        m.put(1, "big".into(), Bytes::from(vec![b'x'; 1024]));
        assert_eq!(m.get(1, "big"), None);
        for i in 0..1000 {
            m.put(1, format!("k{i}"), Bytes::from(vec![b'y'; 500]));
            assert!(m.bytes() <= 16 * 1024, "{} bytes after {i}", m.bytes());
        }
        assert_eq!(m.get(1, "k999").map(|a| a.len()), Some(500), "the newest answer is kept");
        // Replacing an answer does not count it twice.
        let before = m.bytes();
        m.put(1, "k999".into(), Bytes::from(vec![b'z'; 500]));
        assert_eq!(m.bytes(), before);
    }

    #[test]
    fn a_budget_of_nothing_keeps_nothing() {
        let m = Memo::new(0);
        m.put(1, "k".into(), b("v"));
        assert_eq!(m.get(1, "k"), None);
        assert!(!m.enabled());
        assert_eq!(m.counts(), (0, 0));
    }
}
