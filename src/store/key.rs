//! Composite keys: fixed-width big-endian integers and byte strings joined
//! so that a range scan comes out in the order the callers need (by member,
//! by grant, by time). Built with [`Key`], never by hand.

/// A composite key under construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn new() -> Key {
        Key(Vec::with_capacity(48))
    }

    /// A `u64`, big-endian, so numeric order is byte order.
    pub fn u64(mut self, n: u64) -> Key {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }

    /// A timestamp; negative times (before 1970) sort first.
    pub fn time(self, t: i64) -> Key {
        self.u64((t as u64) ^ (1 << 63))
    }

    /// A fixed-width part (a digest).
    pub fn bytes(mut self, b: &[u8]) -> Key {
        self.0.extend_from_slice(b);
        self
    }

    /// A variable-length text part, ended by `0x00` so that `"ab"` sorts
    /// before `"abc"`; the text must not hold NUL.
    pub fn text(mut self, s: &str) -> Key {
        self.0.extend(s.bytes().filter(|&b| b != 0));
        self.0.push(0);
        self
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

/// The smallest byte string greater than every string that starts with
/// `prefix`, written into `prefix`; `false` when there is none (all `0xff`).
pub fn increment(prefix: &mut Vec<u8>) -> bool {
    while let Some(last) = prefix.pop() {
        if last < 0xff {
            prefix.push(last + 1);
            return true;
        }
    }
    false
}

/// Reads the `u64` at `at` of a composite key.
pub fn u64_at(key: &[u8], at: usize) -> Option<u64> {
    key.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_like_their_parts() {
        let a = Key::new().u64(1).text("ab").into_vec();
        let b = Key::new().u64(1).text("abc").into_vec();
        let c = Key::new().u64(2).text("a").into_vec();
        assert!(a < b && b < c);
        assert!(Key::new().time(-5).into_vec() < Key::new().time(3).into_vec());
        assert_eq!(u64_at(&Key::new().u64(7).u64(9).into_vec(), 8), Some(9));
    }

    #[test]
    fn increment_gives_the_end_of_a_prefix_range() {
        let mut p = vec![1, 0xff];
        assert!(increment(&mut p));
        assert_eq!(p, [2]);
        let mut all = vec![0xff, 0xff];
        assert!(!increment(&mut all));
    }
}
