//! End-to-end tests of the creditsim CLI: the built binary, run on files.

mod ledger_replay;
mod prices_command;
mod report_command;
mod run_command;
mod sensitivity_command;
mod trace_command;
