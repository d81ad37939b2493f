//! The desktop app's tests: what each command does, driven through `App`
//! (the commands are one call each over it), comparisons, and the committed
//! IPC types.

mod bindings;
mod commands;
mod compare;
mod editor;
mod export;
mod files;
mod prices;
mod support;
