//! The creditsim simulator (being written).
