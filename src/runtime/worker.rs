//! One thread for the small blocking jobs the wizard asks for (the progress file with its two fsyncs, the
//! OS keyring), run in the order they were asked, so the UI thread never waits on a disk or a keyring
//! daemon and a "forget" never overtakes the "save" before it.
//!
//! Must not: run anything that waits on the network or a person (those are tokio tasks with a cancel
//! token), or touch the terminal.

use std::sync::mpsc;
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

pub struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread. If the system refuses a thread, jobs run where they are asked: slower, never lost.
    pub fn start() -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new().name("sfconnect-io".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job();
            }
        });
        match spawned {
            Ok(thread) => Self { jobs: Some(tx), thread: Some(thread) },
            Err(e) => {
                tracing::warn!(error = %e, "no worker thread: blocking jobs run inline");
                Self { jobs: None, thread: None }
            }
        }
    }

    /// Queues `job` after every job asked before it.
    pub fn run(&self, job: impl FnOnce() + Send + 'static) {
        match &self.jobs {
            Some(tx) => {
                if let Err(mpsc::SendError(job)) = tx.send(Box::new(job)) {
                    job();
                }
            }
            None => job(),
        }
    }

    /// Waits until every queued job is done (at exit: a progress write still queued must land).
    pub fn finish(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    #[test]
    fn jobs_run_off_the_calling_thread_in_order_and_finish_waits_for_them() {
        let mut worker = super::Worker::start();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let caller = std::thread::current().id();
        for i in 0..5 {
            let seen = seen.clone();
            worker.run(move || {
                std::thread::sleep(std::time::Duration::from_millis(5));
                seen.lock().unwrap().push((i, std::thread::current().id() != caller));
            });
        }
        worker.finish();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen, (0..5).map(|i| (i, true)).collect::<Vec<_>>());
    }
}
