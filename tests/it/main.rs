//! End-to-end tests of the creditsim CLI.
