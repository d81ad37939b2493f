//! End-to-end tests of the creditsim CLI: the built binary, run on files.

mod ledger_replay;
mod report_command;
mod run_command;
