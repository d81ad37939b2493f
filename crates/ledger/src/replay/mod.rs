//! The replay file format (being written).
