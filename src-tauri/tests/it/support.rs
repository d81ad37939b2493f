//! Shared helpers: a temporary folder, the tiny scenario, runs to completion.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use creditsim_desktop::app::App;
use creditsim_desktop::dto::{RunEvent, RunRequest};

/// A fresh folder under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "creditsim-desktop-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn tiny_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tiny.toml").to_owned()
}

/// The app with the tiny scenario open; returns its id.
pub fn app_with_tiny() -> (App, String) {
    let app = App::new();
    let info = app
        .open_scenario(&tiny_path())
        .expect("the tiny scenario opens");
    (app, info.id)
}

pub fn request(scenario: &str, paths: u32) -> RunRequest {
    RunRequest {
        scenario: scenario.to_owned(),
        paths: Some(paths),
        seed: None,
        precision: None,
        text: None,
    }
}

/// Starts a run and returns its id and the receiving end of its events.
pub fn start(app: &App, request: &RunRequest) -> (u32, mpsc::Receiver<RunEvent>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let id = app
        .start_run(
            request,
            Box::new(move |event| {
                let _ = tx.lock().expect("sender").send(event);
            }),
        )
        .expect("the run starts");
    (id, rx)
}

/// Every event until the run's last one (bounded wait per event).
pub fn events_to_end(rx: &mpsc::Receiver<RunEvent>) -> Vec<RunEvent> {
    let mut events = Vec::new();
    loop {
        let event = rx
            .recv_timeout(Duration::from_secs(300))
            .expect("the run sends an event within 5 minutes");
        let last = !matches!(event, RunEvent::Progress { .. });
        events.push(event);
        if last {
            return events;
        }
    }
}

/// Runs the tiny scenario to the end and returns the run id.
pub fn finished_run(app: &App, scenario: &str, paths: u32) -> u32 {
    let (id, rx) = start(app, &request(scenario, paths));
    let events = events_to_end(&rx);
    assert!(
        matches!(events.last(), Some(RunEvent::Finished { .. })),
        "the run finished: {:?}",
        events.last()
    );
    id
}
