//! The file's names for usage events, features and actors, interned to the
//! numbers the wallet compares (`UsageId`, `Feature`, `Actor`) in order of
//! first appearance, and mapped back when rendering.

use std::collections::HashMap;

use crate::grant::{Actor, Feature};
use crate::journal::UsageId;

#[derive(Debug, Default)]
pub(super) struct Names {
    /// Indexed by `UsageId`: each usage event gets its own number, even one
    /// whose name repeats (reported as a problem elsewhere).
    usages: Vec<String>,
    features: HashMap<String, Feature>,
    actors: HashMap<String, Actor>,
}

impl Names {
    pub fn new_usage(&mut self, name: String) -> UsageId {
        let id = UsageId(self.usages.len() as u64);
        self.usages.push(name);
        id
    }

    pub fn feature(&mut self, name: &str) -> Feature {
        Feature(intern(&mut self.features, name, Feature, |f| f.0))
    }

    pub fn actor(&mut self, name: &str) -> Actor {
        Actor(intern(&mut self.actors, name, Actor, |a| a.0))
    }

    /// The name a usage event was numbered with.
    pub fn usage_name(&self, id: UsageId) -> &str {
        &self.usages[id.0 as usize]
    }

    pub fn into_usage_names(self) -> Vec<String> {
        self.usages
    }
}

/// The number of `name`, numbering it next if it is new. Looks up before
/// inserting so a name seen before costs no allocation.
fn intern<T: Copy>(
    map: &mut HashMap<String, T>,
    name: &str,
    wrap: fn(u32) -> T,
    get: fn(T) -> u32,
) -> u32 {
    if let Some(known) = map.get(name) {
        return get(*known);
    }
    // A file small enough to load has far fewer than 2^32 distinct names.
    let next = u32::try_from(map.len()).expect("fewer than 2^32 names");
    map.insert(name.to_owned(), wrap(next));
    next
}

/// The file's name for a usage id; a number the file never used (which the
/// wallet does not invent) is shown as such rather than panicking.
pub(super) fn usage_name(names: &[String], id: UsageId) -> String {
    usize::try_from(id.0)
        .ok()
        .and_then(|i| names.get(i))
        .cloned()
        .unwrap_or_else(|| format!("#{}", id.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_numbered_in_order_of_first_appearance() {
        let mut names = Names::default();
        assert_eq!(names.actor("b"), Actor(0));
        assert_eq!(names.actor("a"), Actor(1));
        assert_eq!(names.actor("b"), Actor(0));
        assert_eq!(names.feature("a"), Feature(0));
        assert_eq!(names.new_usage("u1".into()), UsageId(0));
        assert_eq!(names.new_usage("u2".into()), UsageId(1));
        let usages = names.into_usage_names();
        assert_eq!(usage_name(&usages, UsageId(1)), "u2");
        assert_eq!(usage_name(&usages, UsageId(7)), "#7");
    }
}
