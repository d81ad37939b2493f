//! The `creditsim` command line (being written).

fn main() {}
