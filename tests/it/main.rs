//! End-to-end tests of the creditsim CLI: the built binary, run on files.

mod ledger_replay;
mod run_command;
mod sensitivity_command;
