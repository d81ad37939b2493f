//! The desktop app's tests: what each command does, driven through `App`
//! (the commands are one call each over it), and the committed IPC types.

mod bindings;
mod commands;
mod editor;
mod files;
mod support;
